import { viewRemedy, type Finding, type ProbeReport, type ProbeTarget, type RuntimeChange, type UpgradeCheck } from '../contract.ts';
import type { Notice } from '../ipc-contract.ts';
import { upgradeNotice } from './notices.ts';
import { askedTargets, BASELINE_RULE } from '../probes/baseline.ts';
import { changesText, noteRuntime } from '../probes/upgrade.ts';
import { regressionLines } from '../report/daemon-world-markdown.ts';
import type { Session } from '../session/session.ts';

export interface UpgradeLook {
  /** What `/startupz` last said (the health check asks it). */
  gatewayVersion: string | null;
  /** The node binary the service's ProgramArguments name. */
  nodePath: string | null;
  /** A comparison waits for an answering gateway: probes of a gateway still restarting measure the restart. */
  gatewayUp: boolean;
}

export interface UpgradePort {
  session: Session;
  /** The daemon's probe suite: exactly these targets (a baseline's), or the usual run when null. */
  probe(targets: ProbeTarget[] | null): Promise<ProbeReport>;
  notify(notice: Notice): void;
  say?: (line: string) => void;
}

/**
 * Seed 000's "after any npm upgrade and double gateway restart, re-run the
 * outbound suite against the same list", by itself: every look compares the
 * gateway's version and the service's node binary with what was last seen
 * (kept in the store, so a restarted watcher neither repeats nor misses a
 * change). A change waits one quiet look and an answering gateway, then the
 * newest baseline's targets are probed as many times as the baseline rule
 * takes its median over, and compared. The result goes to the watch log, a
 * line for the operator, a notice when something regressed, and a finding
 * that stands until the next comparison or a newer baseline (the operator
 * accepting the new numbers). Not a page: a regression is an event, not a
 * state that resolves, and the pager's checks are states.
 */
export class UpgradeWatch {
  private readonly port: UpgradePort;
  private last: UpgradeCheck | null = null;
  /** A baseline saved after the last comparison: the operator took the new numbers. */
  private accepted = false;

  constructor(port: UpgradePort) {
    this.port = port;
  }

  async look(look: UpgradeLook): Promise<void> {
    const { daemon, world } = this.port.session;
    const seen = await daemon.daemonRuntime();
    const node = look.nodePath ? await daemon.nodeBinary(look.nodePath, seen.node) : null;
    const { next, changes } = noteRuntime(seen, { gatewayVersion: look.gatewayVersion, node }, world.now());
    if (changes.length > 0) this.port.say?.(`noticed ${changesText(changes)}; the probe comparison runs once it holds steady and the gateway answers`);
    let state = next;
    // The pending changes were seen at an earlier look, and nothing moved since.
    if (changes.length === 0 && state.pending && look.gatewayUp) state = { ...state, pending: null, lastCheck: await this.compare(state.pending.changes) };
    if (JSON.stringify(state) !== JSON.stringify(seen)) await daemon.keepDaemonRuntime(state);
    this.last = state.lastCheck;
    const newest = this.last && (this.last.regressions > 0 || this.last.error) ? await daemon.newestBaseline() : null;
    this.accepted = newest !== null && this.last !== null && newest.savedAt > this.last.at;
  }

  private async compare(changes: RuntimeChange[]): Promise<UpgradeCheck> {
    const { daemon, keeper, world } = this.port.session;
    const at = world.now().toISOString();
    let check: UpgradeCheck;
    let name: string | null = null;
    try {
      name = (await daemon.newestBaseline())?.name ?? null;
      const baseline = name ? await daemon.baseline(name) : null;
      if (!baseline) {
        const report = await this.port.probe(null);
        check = { at, changes, baseline: null, traceId: report.traceId, regressions: 0, lines: [], error: null };
      } else {
        // As many runs as the rule's median: the comparison then judges the new runtime alone, not runs from before the change.
        let report: ProbeReport | null = null;
        for (let run = 0; run < BASELINE_RULE.runs; run++) report = await this.port.probe(askedTargets(baseline));
        const comparison = await daemon.compare(report!, baseline.name);
        check = { at, changes, baseline: baseline.name, traceId: report!.traceId, regressions: comparison?.regressions ?? 0, lines: comparison ? regressionLines(comparison) : [], error: null };
      }
    } catch (error) {
      check = { at, changes, baseline: name, traceId: null, regressions: 0, lines: [], error: (error as Error).message };
    }
    await keeper.logWatch({ event: 'upgrade-check', ...check }).catch(() => undefined);
    this.port.say?.(checkLine(check));
    const notice = upgradeNotice([], [upgradeFinding(check)].filter((f) => f !== null));
    if (notice) this.port.notify(notice);
    return check;
  }

  /** The last comparison's finding, until a newer baseline was saved. */
  finding(): Finding | null {
    return this.last && !this.accepted ? upgradeFinding(this.last) : null;
  }
}

/** A comparison's finding: its regressions, or why it could not run; none when all was well. */
export function upgradeFinding(check: UpgradeCheck): Finding | null {
  const what = changesText(check.changes);
  const command = check.baseline ? `clawbar probe --compare ${check.baseline}` : 'clawbar probe';
  if (check.error) return { id: 'probes.upgrade-check-failed', severity: 'warn', title: `The probe comparison after ${what} could not run: ${check.error}`, fix: `Run it by hand: ${command}`, remedy: viewRemedy('probes', command), at: check.at };
  if (check.regressions === 0) return null;
  return {
    id: 'probes.upgrade-regression', severity: 'warn',
    title: `Probe regression after ${what}: ${check.regressions} target${check.regressions === 1 ? '' : 's'} against baseline '${check.baseline}'`,
    detail: check.lines.slice(0, 5).join('\n'),
    fix: `See what changed (${command}); once the new numbers are expected, save a new baseline (clawbar probe --save-baseline NAME)`,
    remedy: viewRemedy('probes', command), at: check.at,
  };
}

/** The operator's line: "probe regression after gateway 2026.9.6 → 2026.9.7 against 'pre-upgrade': https://api.example/: tls 40 → 90 ms (median of 3)". */
export function checkLine(check: UpgradeCheck): string {
  const what = changesText(check.changes);
  if (check.error) return `probe comparison after ${what} failed: ${check.error}`;
  if (!check.baseline) return `${what}: no probe baseline to compare with (clawbar probe --save-baseline NAME keeps one); the probe suite ran once`;
  if (check.regressions === 0) return `no probe regression after ${what} against '${check.baseline}' (${BASELINE_RULE.runs} runs)`;
  return `probe regression after ${what} against '${check.baseline}': ${check.lines.join('; ')}`;
}
