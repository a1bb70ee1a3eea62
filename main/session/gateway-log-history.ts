import type { GatewayLogHistory } from '../contract/gateway-log-history.ts';
import { activeLogFiles, presentLogFiles } from '../glance/gateway-log-files.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import { lastDayHours, loadLogState, summarise } from '../store/gateway-log-store.ts';
import type { World } from '../world.ts';

/**
 * The History view's look at the gateway's own log errors: the kept counts,
 * the last day by hour, and which files are read. It reads no further: the
 * agent or watcher that owns the schedules reads on its turn, and a second
 * reader of the same cursors would count the same lines twice.
 */
export async function gatewayLogHistory(world: World, service: ServiceEnvironment | null): Promise<GatewayLogHistory> {
  const now = world.now();
  const state = await loadLogState(world.files.gatewayLogState, now);
  const files = service ? activeLogFiles({ configured: service.config.logFile ?? null, env: service.env, uid: process.getuid?.() ?? null, now }) : [];
  const present = await presentLogFiles(files);
  return { ...summarise(state, present.length ? present : files, present.length > 0, now), since: state.since, hours: lastDayHours(state, now) };
}
