import { OPENCLAW_ENV_HEADER } from './env-file.ts';

/** Quotes a value for sh the way OpenClaw does: single quotes, an embedded ' as '\''. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Writes an env file in OpenClaw's generated format: the header the wrapper
 * checks, then one `export KEY='value'` line per variable, sorted by name
 * with localeCompare as OpenClaw does (so `a, A_B, AB, b`).
 */
export function formatEnvFile(vars: Record<string, string>): string {
  const names = Object.keys(vars).sort((a, b) => a.localeCompare(b));
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a valid variable name: ${JSON.stringify(name)}`);
  }
  return `${OPENCLAW_ENV_HEADER}\n${names.map((name) => `export ${name}=${shellQuote(vars[name]!)}\n`).join('')}`;
}
