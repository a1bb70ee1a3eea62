import type { AllowlistObserved, BaselineComparison, GatewayLogErrors } from '../contract.ts';
import { code, mdTable, ms } from './markdown.ts';

/** Sections of the diagnostics report and the firewall ticket for baselines, log errors and observed egress. */

const PHASE_LABEL: Record<string, string> = { dnsMs: 'dns', connectMs: 'connect', proxyConnectMs: 'proxy', tlsMs: 'tls', ttfbMs: 'ttfb', totalMs: 'total' };

/** One line per regressed target: slower phases and what changed (shared by the report and `probe --compare`). */
export function regressionLines(c: BaselineComparison): string[] {
  return c.targets.filter((t) => t.regressed).map((t) => {
    const slow = t.phases.filter((p) => p.slower).map((p) => `${PHASE_LABEL[p.phase]} ${ms(p.baselineMs)} → ${ms(p.recentMs)} ms (median of ${p.runs})`);
    const changed = t.changes.map((ch) => `${ch.what} ${ch.before ?? '—'} → ${ch.after ?? '—'}`);
    return `${t.target}: ${[...slow, ...changed].join('; ')}`;
  });
}

export function baselineSection(c: BaselineComparison | null | undefined): string[] {
  if (!c) return ['No probe baseline is saved: `clawbar probe --save-baseline NAME` keeps one (before an upgrade), `--compare NAME` checks against it.'];
  const rows = c.targets.filter((t) => t.presence === 'both').map((t) => {
    const total = t.phases.find((p) => p.phase === 'totalMs');
    return [t.target, t.regressed ? '**regressed**' : 'ok', total ? `${ms(total.baselineMs)} → ${ms(total.recentMs)}` : '—', t.changes.map((ch) => `${ch.what}: ${ch.before ?? '—'} → ${ch.after ?? '—'}`).join('; ')];
  });
  return [
    `Baseline ${code(c.name)} of ${c.savedAt}: **${c.regressions} regression${c.regressions === 1 ? '' : 's'}**. A phase counts as slower when the median of the last ${c.rule.runs} runs since the baseline is ${c.rule.ratio}× the baseline and at least ${c.rule.minDeltaMs} ms more.`,
    '', `Runtime then: ${c.runtime.before}; now: ${c.runtime.after}.`, '',
    ...mdTable(['target', 'result', 'total ms (baseline → recent)', 'changes'], rows),
    ...(c.regressions ? ['', ...regressionLines(c).map((l) => `- ${l}`)] : []),
    ...c.targets.filter((t) => t.presence !== 'both').map((t) => `- ${t.target}: ${t.presence === 'new' ? 'not in the baseline' : 'in the baseline, not probed this time'}`),
  ];
}

export function gatewayLogSection(log: GatewayLogErrors | null | undefined): string[] {
  if (!log) return ['The gateway\'s logs have not been read yet.'];
  const layers = [...new Set([...Object.keys(log.lastDay.byLayer), ...Object.keys(log.totals)])].sort();
  if (layers.length === 0) return ['No network errors in the gateway\'s own logs.'];
  return [
    'Counted from the gateway\'s JSON-lines log by probe layer (records are read, never copied here).',
    '',
    ...mdTable(['layer', 'last hour', 'last 24 h', 'since first read', 'jump'], layers.map((layer) => [
      layer, log.lastHour.byLayer[layer] ?? 0, log.lastDay.byLayer[layer] ?? 0, log.totals[layer] ?? 0,
      log.jumps.find((j) => j.layer === layer) ? `usually ${log.jumps.find((j) => j.layer === layer)!.usualPerHour}/h` : '',
    ])),
    ...(log.lastDay.byHost.length ? ['', 'Most frequent in the last 24 h: ' + log.lastDay.byHost.slice(0, 5).map((h) => `${h.host} (${h.layer}, ${h.count})`).join(', ') + '.'] : []),
  ];
}

/** The ticket's three lists: allowlisted and seen, allowlisted but never seen, seen but not on the allowlist. */
export function observedSection(o: AllowlistObserved | null | undefined): string[] {
  if (!o) return ['No egress observation yet: `clawbar egress observe --for 24h` (or the watcher) records where the gateway really connects.'];
  const seenRows = o.allowlistedSeen.map((r) => [`${r.host}:${r.port}`, r.addresses.join(', '), r.connections, r.lastSeen]);
  const neverRows = o.allowlistedNeverSeen.map((r) => [`${r.host}:${r.port}`, r.viaProxy ? 'reached through the proxy: its sockets go to the proxy, so not observable here' : 'not seen']);
  const unlisted = o.seenNotAllowlisted.map((d) => [`${d.address}:${d.port}`, d.names.join(', ') || '(no name)', d.attribution, d.connections, d.firstSeen, d.lastSeen]);
  return [
    `Observed ${o.since ?? '?'} to ${o.until ?? '?'}.`,
    '', '### Allowlisted and seen', '', ...(seenRows.length ? mdTable(['row', 'addresses', 'connections', 'last seen'], seenRows) : ['None.']),
    '', '### Allowlisted, never seen in the window', '', ...(neverRows.length ? mdTable(['row', 'note'], neverRows) : ['None.']),
    '', '### Seen, not on the allowlist', '', ...(unlisted.length ? mdTable(['address', 'name', 'named by', 'connections', 'first seen', 'last seen'], unlisted) : ['None.']),
  ];
}
