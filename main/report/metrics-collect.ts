import { takeStatus } from '../glance/status.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import type { Settings } from '../settings.ts';
import type { Executor } from '../system/exec.ts';
import { loadLastProbe } from './last-probe.ts';
import { renderMetrics } from './metrics.ts';
import { CLAWBAR_VERSION } from './node-facts.ts';

export interface CollectMetricsOptions {
  service: ServiceEnvironment;
  settings: Settings;
  lastProbePath: string;
  /** Who is looking, for the state-change log: the CLI's `metrics`, or the app's schedule. */
  observer: string;
  exec?: Executor;
  home?: string;
}

/**
 * One fresh status look plus the saved probe run, as exposition text: what
 * `clawbar metrics` writes and what the app renders on its schedule for the
 * textfile and its loopback endpoint. Probes are not rerun here (they take
 * seconds and reach the network); their own schedule refreshes last-probe.json.
 */
export async function collectMetrics(options: CollectMetricsOptions): Promise<string> {
  const [status, lastProbe] = await Promise.all([
    takeStatus({ service: options.service, settings: options.settings, exec: options.exec, home: options.home, observer: options.observer }),
    loadLastProbe(options.lastProbePath),
  ]);
  return options.service.redactor.text(renderMetrics({ status, lastProbe, version: CLAWBAR_VERSION }));
}
