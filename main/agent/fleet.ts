import type { ClockReport, DownVerdict, EdgesReport, HealthReport, ListenersReport, StatusReport } from '../contract.ts';
import { composeStatus } from '../glance/status.ts';
import { startMetricsServer, type MetricsServer } from '../report/metrics-server.ts';
import type { Session } from '../session/session.ts';
import type { Settings } from '../settings-schema.ts';
import { textfilePath, writeTextfile } from '../store/metrics-textfile.ts';

export interface Glance {
  health: HealthReport | null;
  listeners: ListenersReport | null;
  clock: ClockReport | null;
  /** The session's last look at the ways in and, while down, why (as `clawbar status` has them). */
  around?: { edges: EdgesReport | null; verdict: DownVerdict | null };
}

/** The agent's latest answers as one status report, the shape `clawbar status` prints and the metrics read. */
export function statusFromGlance(glance: Glance, settings: Settings): StatusReport | null {
  const { health, listeners, clock } = glance;
  if (!health || !listeners || !clock) return null;
  return composeStatus({ health, listeners, clock }, settings, glance.around ? { edges: glance.around.edges, verdict: glance.around.verdict } : {});
}

/**
 * What a fleet sees of this node while the app runs: the node_exporter
 * textfile rewritten from the agent's own checks (no extra probing), the
 * state-change lines in status.jsonl (shared with the CLI), and, when the
 * operator chose a port, /metrics on 127.0.0.1. The textfile and the
 * endpoint are exits: they carry the redacted text.
 */
export class FleetSignals {
  private server: MetricsServer | null = null;
  private serverPort: number | null = null;
  private latest = '';
  private readonly session: Session;
  /** Who looked, in status.jsonl: 'app', or 'watch' for the headless watcher. */
  private readonly source: string;

  constructor(session: Session, source = 'app') {
    this.session = session;
    this.source = source;
  }

  /** `amend` adds what the session checks beyond the glance (applied fixes still in force); returns what was published. */
  async publish(glance: Glance, settings: Settings, amend: (status: StatusReport) => Promise<StatusReport> = async (s) => s): Promise<StatusReport | null> {
    const seen = statusFromGlance(glance, settings);
    if (!seen) return null;
    const status = await amend(seen);
    const { world, keeper } = this.session;
    await keeper.recordStatus(status, this.source);
    this.latest = world.redactor.text(await this.session.metrics(status));
    await writeTextfile(textfilePath(settings, world.files.metricsTextfile), this.latest, { createDir: true, stateDir: world.files.stateDir });
    await this.serve(settings.metricsPort ?? null);
    return status;
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
