import type { ServiceEnvironment } from '../service/environment.ts';
import type { Watched } from './config-watch.ts';

export interface ChangeSummary {
  files: Watched[];
  /** Gateway settings that differ after the change (port, bind, auth, proxy). */
  gateway: Record<string, { from: unknown; to: unknown }>;
  /** Names only: values may be secrets, and the name is what an operator looks for. */
  variables: { added: string[]; removed: string[]; changed: string[] };
}

const GATEWAY_KEYS = ['port', 'bind', 'customBindHost', 'authMode', 'proxyUrl', 'configFound'] as const;

/** What a config, plist or env-file change did to the gateway the daemon will run, from the service read before and after. */
export function describeChange(files: Watched[], before: ServiceEnvironment | null, after: ServiceEnvironment | null): ChangeSummary {
  const gateway: ChangeSummary['gateway'] = {};
  const old = before?.facts.gateway;
  const now = after?.facts.gateway;
  for (const key of GATEWAY_KEYS) {
    if (old?.[key] !== now?.[key]) gateway[key] = { from: old?.[key] ?? null, to: now?.[key] ?? null };
  }
  const a = before?.env ?? {};
  const b = after?.env ?? {};
  return {
    files,
    gateway,
    variables: {
      added: Object.keys(b).filter((k) => !(k in a)).sort(),
      removed: Object.keys(a).filter((k) => !(k in b)).sort(),
      changed: Object.keys(b).filter((k) => k in a && a[k] !== b[k]).sort(),
    },
  };
}

/** One line for the watcher's log: which files, and what they changed. */
export function changeLine(summary: ChangeSummary): string {
  const parts = Object.entries(summary.gateway).map(([key, { from, to }]) => `${key} ${String(from)} → ${String(to)}`);
  const v = summary.variables;
  if (v.added.length) parts.push(`added ${v.added.join(', ')}`);
  if (v.removed.length) parts.push(`removed ${v.removed.join(', ')}`);
  if (v.changed.length) parts.push(`changed ${v.changed.join(', ')}`);
  return `${summary.files.map((f) => f.role).join(', ')} changed${parts.length ? `: ${parts.join('; ')}` : ''}`;
}
