import { pagingSecrets } from '../paging/bodies.ts';
import type { Session } from '../session/session.ts';
import { clearPause, writePause } from '../store/maintenance.ts';
import { EXIT, UsageError } from '../system/errors.ts';
import { formatDuration, parseDuration } from '../watch/duration.ts';
import { installJob, planJob, uninstallJobs } from '../watch/launchd-job.ts';
import { runWatcher } from '../watch/run.ts';
import { privateSettings } from '../watch/settings-mode.ts';
import { watcherLine, watcherSummary } from '../watch/summary.ts';
import type { Out } from './emit.ts';

export interface WatchArgs {
  sub?: string;
  json: boolean;
  plist?: string;
  scope?: string;
  for?: string;
  reason?: string;
}

/** Lines for the watcher's own log: stderr, which launchd writes to the job's log file. */
const say = (line: string) => { process.stderr.write(`${new Date().toISOString()} clawbar watch: ${line}\n`); };

/**
 * `clawbar watch`: runs the schedules in the foreground until SIGTERM or
 * SIGINT; `install | uninstall | status` manage its launchd job; `pause --for
 * DURATION [--reason TEXT]` and `resume` open and close a maintenance window
 * (pages logged, not sent).
 */
export async function watchCommand(session: Session, args: WatchArgs, out: Out): Promise<number> {
  if (args.sub !== 'pause' && (args.for !== undefined || args.reason !== undefined)) throw new UsageError('watch: --for and --reason go with watch pause');
  if (args.sub !== 'install' && args.scope !== undefined) throw new UsageError('watch: --scope goes with watch install');
  // Webhook URLs and credentials are secrets in every message this command prints, whatever goes wrong.
  const settings = await session.settings().catch(() => null);
  if (settings) session.world.redactor.add(...pagingSecrets(settings.paging.notifiers, settings.paging.heartbeatUrl));
  switch (args.sub) {
    case undefined: return foreground(session, args);
    case 'install': return install(session, args, out);
    case 'uninstall': {
      const removed = await uninstallJobs(session.world);
      out.print(args.json, { removed }, () => (removed.length ? removed.map((r) => `removed ${r.plistPath}${r.unloaded ? ' (unloaded)' : ''}\n`).join('') : 'no watcher job was installed\n'));
      return EXIT.ok;
    }
    case 'status': {
      const summary = await watcherSummary(session.world, await session.settings(), { launchd: true });
      out.print(args.json, summary, () => `watcher: ${watcherLine(summary, session.world.now())}\n${summary.job ? `  job: ${summary.job.plistPath}${summary.job.launchd ? ` (launchd: ${summary.job.launchd}${summary.job.pid ? `, pid ${summary.job.pid}` : ''})` : ''}\n` : ''}`);
      return summary.running ? EXIT.ok : EXIT.warn;
    }
    case 'pause': return pause(session, args, out);
    case 'resume': {
      const had = await clearPause(session.world.files.watchPause);
      await session.keeper.logWatch({ event: 'resume', hadPause: had });
      out.print(args.json, { resumed: had }, () => (had ? 'pages resumed\n' : 'pages were not paused\n'));
      return EXIT.ok;
    }
    default: throw new UsageError(`watch: unknown subcommand '${args.sub}' (install, uninstall, status, pause, resume)`);
  }
}

async function foreground(session: Session, args: WatchArgs): Promise<number> {
  if (args.json) throw new UsageError('watch: --json goes with watch status, install, uninstall, pause and resume');
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    return await runWatcher({ session, plist: args.plist, say: (line) => say(session.world.redactor.text(line)), signal: stop.signal });
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

async function install(session: Session, args: WatchArgs, out: Out): Promise<number> {
  if (args.scope !== undefined && args.scope !== 'agent' && args.scope !== 'daemon') throw new UsageError(`watch install: --scope is agent or daemon, not '${args.scope}'`);
  const [settings, service] = await Promise.all([session.settings(), session.service(args.plist).catch(() => null)]);
  const tightened = await privateSettings(session.world.files.settings, settings);
  const spec = await planJob(session.world, service, { scope: args.scope as 'agent' | 'daemon' | undefined, plist: args.plist });
  const installed = await installJob(session.world, spec);
  await session.keeper.logWatch({ event: 'install', kind: spec.kind, plist: spec.plistPath, domain: spec.domain, loaded: installed.loaded, settingsModeWas: tightened });
  out.print(args.json, { ...installed, settingsModeWas: tightened }, () => [
    `installed ${spec.kind === 'daemon' ? `LaunchDaemon (UserName ${spec.userName ?? 'root'})` : 'LaunchAgent'} ${spec.label}: ${spec.plistPath}`,
    installed.loaded ? `loaded in ${spec.domain}; logs in ${spec.logPath}` : installed.note ?? '',
    ...(tightened ? [`settings file made private (was ${tightened}): it holds paging secrets`] : []),
    '',
  ].join('\n'));
  return EXIT.ok;
}

async function pause(session: Session, args: WatchArgs, out: Out): Promise<number> {
  if (args.for === undefined) throw new UsageError('watch pause: --for DURATION is required (e.g. 30m, 2h, 1h30m)');
  const ms = parseDuration(args.for);
  if (ms === null) throw new UsageError(`watch pause: --for '${args.for}' is not a duration between 1s and 7d (e.g. 30m, 2h, 1h30m)`);
  const now = session.world.now();
  const window = { since: now.toISOString(), until: new Date(now.getTime() + ms).toISOString(), reason: args.reason?.trim() || null };
  await writePause(session.world.files.watchPause, window);
  await session.keeper.logWatch({ event: 'pause', ...window });
  out.print(args.json, { paused: window }, () => `pages held for ${formatDuration(ms)}, until ${window.until}${window.reason ? ` (${window.reason})` : ''}; they are logged, not sent\n`);
  return EXIT.ok;
}
