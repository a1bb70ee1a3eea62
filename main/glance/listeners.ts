import type { Finding, Listener, ListenersReport } from '../contract.ts';
import { fixRemedy, viewRemedy, worstSeverity } from '../contract.ts';
import { describeFailure, type Executor } from '../system/exec.ts';
import { diffBaseline, toBaseline, listenerKey, type Baseline } from './baseline.ts';
import { assessListener, type ExposureContext } from './exposure.ts';
import { parseLsofFields, type RawListener } from './lsof.ts';

/** The seeds' rule: a new foreign listener must be closed or ticketed within 24 h. */
export const NEW_LISTENER_GRACE_HOURS = 24;
const FIREWALL = '/usr/libexec/ApplicationFirewall/socketfilterfw';

/** What the store remembers between scans: the saved baseline and when each listener was first seen. */
export interface ListenerMemory {
  baselinePath: string;
  baseline: Baseline | null;
  seen: Record<string, string>;
}

export interface ListenerOptions extends Partial<ExposureContext> {
  exec: Executor;
  /** The store's memory; without it there is no baseline and every listener is seen for the first time. */
  memory?: ListenerMemory;
  /** Diff against these listeners as the new baseline (the caller keeps `toBaseline(report.items)`). */
  saveBaseline?: boolean;
  now?: Date;
  platform?: NodeJS.Platform;
  /** Whether lsof runs with root (sees every user's sockets); defaults to this process's uid. */
  root?: boolean;
}

/** Every TCP listener, from lsof's field output. */
export async function readListeners(exec: Executor): Promise<{ raw: RawListener[]; error: string | null }> {
  const result = await exec('lsof', ['-nP', '-iTCP', '-sTCP:LISTEN', '-FpcuLftPnT'], { timeoutMs: 10_000 });
  if (!result.available) return { raw: [], error: describeFailure(result) };
  // lsof exits 1 when nothing matches; output is still authoritative then.
  if (result.code !== 0 && result.code !== 1) return { raw: [], error: describeFailure(result) };
  return { raw: parseLsofFields(result.stdout), error: result.truncated ? 'lsof output was cut at the size limit' : null };
}

/** macOS Application Firewall state: defence in depth, not a substitute for loopback binding. */
export function parseFirewallState(text: string): 'enabled' | 'disabled' | 'unknown' {
  if (/State = [12]|is enabled/i.test(text)) return 'enabled';
  if (/State = 0|is disabled/i.test(text)) return 'disabled';
  return 'unknown';
}

/** When each listener now present was first seen: kept from memory, or now for a new one. */
export function nextSeen(items: Listener[], seen: Record<string, string>, now: Date): Record<string, string> {
  return Object.fromEntries([...new Set(items.map(listenerKey))].map((key) => [key, seen[key] ?? now.toISOString()]));
}

/**
 * Scans listeners, classifies each (loopback / specific / wildcard), diffs
 * against the remembered baseline and ages what is new. Writes nothing: the
 * caller keeps `nextSeen` and, when asked, the new baseline.
 */
export async function scanListeners(options: ListenerOptions): Promise<ListenersReport> {
  const exec = options.exec;
  const now = options.now ?? new Date();
  const { raw, error } = await readListeners(exec);
  const context: ExposureContext = { gatewayPort: options.gatewayPort ?? null, authMode: options.authMode ?? null, exceptions: options.exceptions ?? [] };
  const items = raw.map((l) => assessListener(l, context)).sort((a, b) => a.port - b.port || a.address.localeCompare(b.address));

  const firstSeen = nextSeen(items, options.memory?.seen ?? {}, now);
  const baseline = options.saveBaseline && !error ? toBaseline(items, now) : options.memory?.baseline ?? null;
  const changes = baseline ? diffBaseline(baseline, items, firstSeen, now.getTime()) : [];

  const findings: Finding[] = [];
  for (const item of items.filter((l) => l.severity !== 'ok')) {
    findings.push({
      id: item.severity === 'critical' ? 'listeners.gateway-exposed' : 'listeners.wildcard',
      severity: item.severity,
      title: item.note ? `${item.process} (pid ${item.pid}) listens on ${item.address}:${item.port}: ${item.note}` : `${item.process} (pid ${item.pid}) listens on every interface, port ${item.port}`,
      fix: item.port === context.gatewayPort ? 'clawbar fix bind' : 'Bind it to 127.0.0.1, or document why it must be reachable',
      remedy: item.port === context.gatewayPort ? fixRemedy('bind') : viewRemedy('listeners'),
    });
  }
  for (const change of changes.filter((c) => c.change !== 'gone')) {
    const exposed = items.find((l) => listenerKey(l) === change.key && l.address === change.address);
    if (!exposed || exposed.exposure === 'loopback') continue;
    const overdue = (change.ageHours ?? 0) >= NEW_LISTENER_GRACE_HOURS;
    findings.push({
      id: overdue ? 'listeners.new-overdue' : 'listeners.new',
      severity: overdue ? 'critical' : 'warn',
      title: `${change.change === 'new' ? 'New' : 'Rebound'} ${exposed.exposure} listener on ${change.port} (${change.process})${change.ageHours !== null ? ` for ${change.ageHours} h` : ''}${change.previousAddress ? `, was ${change.previousAddress}` : ''}`,
      detail: `Since the baseline of ${baseline?.savedAt}. New listeners beyond loopback must be closed or ticketed within ${NEW_LISTENER_GRACE_HOURS} h.`,
      fix: overdue ? 'Close it or open a risk ticket, then clawbar listeners --save-baseline' : 'If it is expected: clawbar listeners --save-baseline',
      remedy: viewRemedy('listeners', 'clawbar listeners --save-baseline'),
    });
  }
  const isRoot = options.root ?? process.getuid?.() === 0;
  const partial = error ?? (isRoot ? null : "lsof ran without root: other users' sockets are not visible (run with sudo to see them)");
  if (error) findings.push({ id: 'listeners.unavailable', severity: 'warn', title: `Listener scan failed: ${error}`, fix: null, remedy: viewRemedy('listeners') });
  let firewall: ListenersReport['firewall'] = { state: 'unknown', detail: null };
  if ((options.platform ?? process.platform) === 'darwin') {
    const fw = await exec(FIREWALL, ['--getglobalstate'], { timeoutMs: 3_000, maxBytes: 4096 });
    firewall = fw.code === 0 ? { state: parseFirewallState(fw.stdout), detail: fw.stdout.trim() } : { state: 'unknown', detail: describeFailure(fw) };
    if (firewall.state === 'disabled') findings.push({ id: 'listeners.firewall-off', severity: 'warn', title: 'The macOS Application Firewall is off', detail: 'Defence in depth only; loopback binding stays the real control.', fix: `sudo ${FIREWALL} --setglobalstate on`, remedy: viewRemedy('listeners', `sudo ${FIREWALL} --setglobalstate on`) });
  }
  return {
    state: worstSeverity(findings),
    items,
    source: error && raw.length === 0 ? 'unavailable' : 'lsof',
    partial,
    firewall,
    baseline: { path: options.memory?.baselinePath ?? '', savedAt: baseline?.savedAt ?? null, changes },
    findings,
  };
}
