import { delimiter, isAbsolute, join } from 'node:path';
import { accessSync, constants } from 'node:fs';
import type { ShellDifference } from '../contract.ts';

const PROXY = /^(https?_proxy|all_proxy|no_proxy|openclaw_proxy_url)$/i;
const CA = /^(NODE_EXTRA_CA_CERTS|NODE_USE_SYSTEM_CA|SSL_CERT_FILE|SSL_CERT_DIR|NODE_TLS_REJECT_UNAUTHORIZED|NODE_OPTIONS)$/;

/** The first executable `name` on a PATH, as `exec` would find it. */
export function whichOnPath(name: string, path: string | undefined): string | null {
  if (isAbsolute(name)) return name;
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch { /* keep looking */ }
  }
  return null;
}

/**
 * What differs between the operator's interactive shell and the daemon for
 * the variables that decide egress: proxies, CA trust, PATH and which `node`
 * runs. This is the "works in my terminal, not under launchd" list.
 */
export function diffShell(shell: Record<string, string | undefined>, daemon: Record<string, string>, daemonNode: string | null): ShellDifference[] {
  const names = new Set([...Object.keys(shell), ...Object.keys(daemon)].filter((name) => PROXY.test(name) || CA.test(name) || name === 'PATH'));
  const out: ShellDifference[] = [];
  for (const name of [...names].sort()) {
    const a = shell[name] ?? null;
    const b = daemon[name] ?? null;
    if (a === b) continue;
    out.push({ name, kind: name === 'PATH' ? 'path' : PROXY.test(name) ? 'proxy' : 'ca', shell: a, daemon: b });
  }
  const shellNode = whichOnPath('node', shell.PATH);
  if (daemonNode && shellNode && shellNode !== daemonNode) out.push({ name: 'node', kind: 'node', shell: shellNode, daemon: daemonNode });
  return out;
}
