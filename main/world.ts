import { homedir } from 'node:os';
import { join } from 'node:path';
import { createExecutor, type Executor } from './system/exec.ts';
import { Redactor } from './system/redact.ts';

/** An environment map as the operator's process has it (values may be missing). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Every file clawbar reads for itself or keeps, by name; built once, so no folder below the edge joins a path. */
export interface WorldFiles {
  /** Settings shared by the app and the CLI, and the egress allowlist. */
  configDir: string;
  /** JSON-lines logs. */
  logDir: string;
  /** Last runs, states, baselines and fix bundles. */
  stateDir: string;
  settings: string;
  allowlist: string;
  /** One line per probe. */
  probeLog: string;
  /** One line per state change of a check. */
  statusLog: string;
  /** One line per fix step (the audit log). */
  fixLog: string;
  /** The last probe run, for reports and metrics. */
  lastProbe: string;
  /** The last state of each check and since when (shared by the CLI and the app). */
  lastStates: string;
  listenerBaseline: string;
  /** When each listener was first seen, for the 24 h rule. */
  listenersSeen: string;
  /** Rollback bundles, one folder per fix. */
  bundles: string;
  /** The first-run wizard's completion marker. */
  firstRun: string;
  /** CA bundles for services that keep no env file of OpenClaw's. */
  caDir: string;
  /** The node_exporter textfile, unless settings name another. */
  metricsTextfile: string;
  /** The running watcher's pid: one owner of the schedules per user. */
  watchLock: string;
  /** The watcher's latest state, which the app shows instead of running its own schedules. */
  watchState: string;
  /** `clawbar watch pause`: pages held back until then. */
  watchPause: string;
  /** A fix restarting the gateway: its outage pages nobody. */
  fixWindow: string;
  /** The pager's debounce state, so a restarted watcher neither re-pages nor forgets a firing check. */
  pagerState: string;
  /** One line per page and per delivery outcome. */
  pageLog: string;
  /** The watcher's own events: start, stop, config changes, settings reloads. */
  watchLog: string;
  /** The watcher job's stdout and stderr under launchd. */
  watchOut: string;
  /** Weekly dated listener snapshots. */
  listenerSnapshots: string;
  /** The watcher's launchd job: a LaunchAgent, or a LaunchDaemon for a gateway that runs as one. */
  watchAgentPlist: string;
  watchDaemonPlist: string;
  /** Where the gateway was seen connecting: destinations, counts, first and last seen. */
  egressObservations: string;
  /** Named probe baselines, one file each. */
  probeBaselines: string;
  /** How far the gateway's own logs were read, and the error counts per hour. */
  gatewayLogState: string;
  /** The gateway version and node binary last seen, and the last automatic comparison after a change. */
  daemonRuntime: string;
}

/**
 * The world one run of clawbar sees: the operator's environment, the one
 * executor, the clock, every file by name and the redactor that guards every
 * exit. Built at the edge (cli.ts, the agent's constructor) and passed down.
 */
export interface World {
  /** The operator's environment: PATH decides which tools exist; it is also "the shell" the daemon is compared with. */
  env: Env;
  home: string;
  platform: NodeJS.Platform;
  /** Prefix for /Library when inspecting another root (a mounted disk); '' on a live system. */
  systemRoot: string;
  exec: Executor;
  now: () => Date;
  files: WorldFiles;
  /** Holds every secret value read so far; applied once, where data leaves the process. */
  redactor: Redactor;
  /** Crash-test point for the fix transaction (tests only). */
  faultAt: string | null;
}

export interface WorldOptions {
  env: Env;
  platform?: NodeJS.Platform;
  exec?: Executor;
  now?: () => Date;
  /** Overrides the environment's HOME (the agent's `home` option). */
  home?: string;
}

/** The watcher's launchd label. */
export const WATCH_LABEL = 'ai.clawbar.watch';

/** Where clawbar keeps its own files: everything derives from HOME (and XDG off macOS), so a temporary HOME is a whole world. */
export function worldFiles(env: Env, home: string, platform: NodeJS.Platform): WorldFiles {
  const darwin = platform === 'darwin';
  const configDir = darwin ? join(home, 'Library', 'Application Support', 'clawbar') : join(env.XDG_CONFIG_HOME || join(home, '.config'), 'clawbar');
  const stateRoot = darwin ? null : join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'clawbar');
  const logDir = darwin ? join(home, 'Library', 'Logs', 'clawbar') : join(stateRoot!, 'logs');
  const stateDir = darwin ? join(configDir, 'state') : stateRoot!;
  return {
    configDir,
    logDir,
    stateDir,
    settings: join(configDir, 'config.json'),
    allowlist: join(configDir, 'allowlist.yaml'),
    probeLog: join(logDir, 'probes.jsonl'),
    statusLog: join(logDir, 'status.jsonl'),
    fixLog: join(logDir, 'fixes.jsonl'),
    lastProbe: join(stateDir, 'last-probe.json'),
    lastStates: join(stateDir, 'last-states.json'),
    listenerBaseline: join(stateDir, 'listeners-baseline.json'),
    listenersSeen: join(stateDir, 'listeners-seen.json'),
    bundles: join(stateDir, 'fixes'),
    firstRun: join(stateDir, 'first-run-complete'),
    caDir: join(configDir, 'ca'),
    metricsTextfile: join(stateDir, 'metrics', 'clawbar.prom'),
    watchLock: join(stateDir, 'watch.lock'),
    watchState: join(stateDir, 'watch-state.json'),
    watchPause: join(stateDir, 'watch-pause.json'),
    fixWindow: join(stateDir, 'fix-window.json'),
    pagerState: join(stateDir, 'pager-state.json'),
    pageLog: join(logDir, 'pages.jsonl'),
    watchLog: join(logDir, 'watch.jsonl'),
    watchOut: join(logDir, 'watch.log'),
    listenerSnapshots: join(stateDir, 'listener-snapshots'),
    watchAgentPlist: join(home, 'Library', 'LaunchAgents', `${WATCH_LABEL}.plist`),
    watchDaemonPlist: join(env.CLAWBAR_SYSTEM_ROOT ?? '', '/Library/LaunchDaemons', `${WATCH_LABEL}.plist`),
    egressObservations: join(stateDir, 'egress-observations.json'),
    probeBaselines: join(stateDir, 'probe-baselines'),
    gatewayLogState: join(stateDir, 'gateway-log.json'),
    daemonRuntime: join(stateDir, 'daemon-runtime.json'),
  };
}

export function buildWorld(options: WorldOptions): World {
  const home = options.home ?? options.env.HOME ?? homedir();
  const env: Env = Object.freeze({ ...options.env });
  const platform = options.platform ?? process.platform;
  return {
    env,
    home,
    platform,
    systemRoot: env.CLAWBAR_SYSTEM_ROOT ?? '',
    exec: options.exec ?? createExecutor(env),
    now: options.now ?? (() => new Date()),
    files: worldFiles(env, home, platform),
    redactor: new Redactor().addEnvironment(env),
    faultAt: env.CLAWBAR_FAULT_AT || null,
  };
}
