import type { EnvReport } from '../contract.ts';
import { redactVariable } from '../system/redact.ts';

/**
 * The environment as `clawbar env` shows it: a variable flagged secret is
 * shown by the name and shape rules (whole value replaced, or a URL's
 * password), the shell comparison likewise. Everything else is left to the
 * exit's redactor, which scrubs every secret value wherever it appears.
 */
export function envView(facts: EnvReport): EnvReport {
  const shown = (name: string, value: string | null) => (value === null ? null : redactVariable(name, value).value);
  return {
    ...facts,
    environment: {
      variables: facts.environment.variables.map((v) => (v.redacted ? { ...v, value: redactVariable(v.name, v.value).value } : v)),
      redactedKeys: facts.environment.redactedKeys,
    },
    shellDiff: facts.shellDiff.map((d) => ({ ...d, shell: shown(d.name, d.shell), daemon: shown(d.name, d.daemon) })),
  };
}
