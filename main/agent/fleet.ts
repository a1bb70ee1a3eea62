import type { ClockReport, HealthReport, ListenersReport, StatusReport } from '../contract.ts';
import { composeStatus } from '../glance/status.ts';
import { lastProbePath, loadLastProbe } from '../report/last-probe.ts';
import { renderMetrics } from '../report/metrics.ts';
import { startMetricsServer, type MetricsServer } from '../report/metrics-server.ts';
import { textfilePath, writeTextfile } from '../report/metrics-textfile.ts';
import { CLAWBAR_VERSION } from '../report/node-facts.ts';
import { observeStatus, recordStateChanges, stateLogPaths } from '../report/state-log.ts';
import type { Settings } from '../settings-schema.ts';
import type { Redactor } from '../system/redact.ts';

export interface Glance { health: HealthReport | null; listeners: ListenersReport | null; clock: ClockReport | null }

/** The agent's latest answers as one status report, the shape `clawbar status` prints and the metrics read. */
export function statusFromGlance(glance: Glance, settings: Settings): StatusReport | null {
  const { health, listeners, clock } = glance;
  if (!health || !listeners || !clock) return null;
  return composeStatus({ health, listeners, clock }, settings);
}

/**
 * What a fleet sees of this node while the app runs: the node_exporter
 * textfile rewritten from the agent's own checks (no extra probing), the
 * state-change lines in status.jsonl (shared with the CLI), and, when the
 * operator chose a port, /metrics on 127.0.0.1.
 */
export class FleetSignals {
  private server: MetricsServer | null = null;
  private serverPort: number | null = null;
  private latest = '';
  private readonly env: Record<string, string | undefined>;

  constructor(env: Record<string, string | undefined>) {
    this.env = env;
  }

  async publish(glance: Glance, settings: Settings, redactor: Redactor): Promise<void> {
    const status = statusFromGlance(glance, settings);
    if (!status) return;
    const safe = redactor.deep(status);
    await recordStateChanges(observeStatus(safe), { ...stateLogPaths(this.env), source: 'app' });
    const lastProbe = await loadLastProbe(lastProbePath(this.env));
    this.latest = redactor.text(renderMetrics({ status: safe, lastProbe, version: CLAWBAR_VERSION }));
    await writeTextfile(textfilePath(settings, this.env), this.latest, true);
    await this.serve(settings.metricsPort ?? null);
  }

  private async serve(port: number | null): Promise<void> {
    if (port === this.serverPort) return;
    await this.stop();
    if (port === null) return;
    this.server = await startMetricsServer({ port, current: () => this.latest });
    this.serverPort = port;
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = null;
    this.serverPort = null;
  }
}
