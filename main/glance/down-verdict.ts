import { viewRemedy, type DownCause, type DownVerdict } from '../contract.ts';

/** What is known when the gateway does not answer; gathered by down-facts.ts, judged here without side effects. */
export interface DownFacts {
  port: number;
  launchd: {
    status: 'loaded' | 'not-loaded' | 'unavailable' | 'error';
    target: string | null;
    plistPath: string | null;
    state: string | null;
    jobState: string | null;
    pid: number | null;
    lastExitCode: number | null;
    lastExitReason: string | null;
    lastSignal: string | null;
    runs: number | null;
    message: string | null;
  };
  /** The gateway's process when one runs (launchd's pid, else found by port or command line). */
  gateway: { pid: number; cpu: number; stat: string; command: string } | null;
  /** Who listens on the gateway port, and whether each belongs to the service's process tree. */
  holders: Array<{ pid: number; process: string; command: string; address: string; ours: boolean; isGateway: boolean }>;
  /** The 1 s /health look at the port, when something listens. */
  health: { answered: boolean; detail: string } | null;
  sleep: string | null;
  localNetwork: string | null;
  logPath: string | null;
}

/** How many runs count as a crash loop when launchd keeps restarting a job that exits. */
export const CRASH_LOOP_RUNS = 3;

const EXIT_MEANING: Record<number, string> = {
  78: 'the env wrapper rejected the env file (EX_CONFIG)',
  126: 'the wrapper or node is not executable',
  127: 'the wrapper or node was not found',
};

function verdict(cause: DownCause, line: string, evidence: string[], action: string, command: string | null = null): DownVerdict {
  return { cause, line, evidence: evidence.filter(Boolean), action, remedy: viewRemedy(cause === 'wedged' || cause === 'not-listening' || cause === 'port-held' ? 'listeners' : 'environment', command) };
}

/**
 * The one-line verdict: the first cause that explains the silence, in the
 * order an operator would check — launchd, the port, the process, the Mac.
 */
export function decideDown(facts: DownFacts): DownVerdict {
  const l = facts.launchd;
  const target = l.target ?? 'gui/$(id -u)/ai.openclaw.gateway';
  const kickstart = `launchctl kickstart -k ${target}`;
  const log = facts.logPath ? `tail -50 ${facts.logPath}` : 'the gateway log';
  const evidence = [
    l.status === 'loaded' ? `launchctl print ${target}: state = ${l.state ?? '?'}${l.jobState ? `, job state = ${l.jobState}` : ''}${l.pid ? `, pid ${l.pid}` : ''}${l.runs !== null ? `, runs = ${l.runs}` : ''}${l.lastExitCode !== null ? `, last exit code = ${l.lastExitCode}` : ''}${l.lastExitReason ? `, last exit reason = ${l.lastExitReason}` : ''}` : `launchctl: ${l.status}${l.message ? ` (${l.message})` : ''}`,
    ...facts.holders.map((h) => `port ${facts.port}: ${h.process} (pid ${h.pid}) on ${h.address}${h.ours ? '' : ' — not the service\'s process'}`),
    facts.holders.length === 0 ? `port ${facts.port}: nobody listens` : '',
    facts.health ? `/health: ${facts.health.detail}` : '',
    facts.gateway ? `gateway process ${facts.gateway.pid}: state ${facts.gateway.stat}, CPU ${facts.gateway.cpu}%` : '',
    facts.sleep ?? '', facts.localNetwork ?? '',
  ];
  const stranger = facts.holders.find((h) => !h.ours);
  const exitCode = l.lastExitCode;

  if (l.status === 'not-loaded') {
    return verdict('not-loaded', `The gateway service is not loaded in launchd (${target})`, evidence, 'Load the service into launchd', `launchctl bootstrap ${target.replace(/\/[^/]+$/, '')} ${l.plistPath ?? '~/Library/LaunchAgents/ai.openclaw.gateway.plist'}`);
  }
  if (l.status === 'loaded' && l.jobState === 'spawn failed') {
    if (exitCode === 78) return verdict('env-rejected', `launchd cannot start the gateway: exit 78, ${EXIT_MEANING[78]}`, evidence, 'Rewrite the service files', 'openclaw gateway install --force');
    if (exitCode === 126 || exitCode === 127) return verdict('not-executable', `launchd cannot start the gateway: exit ${exitCode}, ${EXIT_MEANING[exitCode]}`, evidence, 'Point the service at an existing node', 'openclaw gateway install --force');
    const reason = l.lastExitReason ?? (exitCode !== null ? `exit ${exitCode}` : 'no reason given');
    const codesign = /CODESIGN/i.test(reason);
    return verdict('spawn-failed', `launchd cannot start the gateway: spawn failed (${reason})`, evidence, codesign ? 'The node binary fails code signing: reinstall node (brew reinstall node) or re-sign it, then restart the service' : 'Read launchd\'s reason, fix the program path, then restart the service', codesign ? 'codesign --verify --verbose "$(which node)"' : kickstart);
  }
  // A zombie (ps state Z) has exited and only waits for its parent to reap it: no running gateway.
  const running = facts.gateway !== null && !facts.gateway.stat.startsWith('Z');
  if (stranger) {
    const who = stranger.isGateway ? `another OpenClaw gateway (${stranger.process}, pid ${stranger.pid}: a foreground \`openclaw gateway run\` or a second service)` : `${stranger.process} (pid ${stranger.pid})`;
    return verdict('port-held', `Port ${facts.port} is held by ${who}; the service's gateway cannot bind it (EADDRINUSE)`, evidence, stranger.isGateway ? `Stop the other gateway (kill ${stranger.pid}, or bootout its service), then restart this one` : `Stop ${stranger.process} or move the gateway to another port`, `lsof -nP -iTCP:${facts.port} -sTCP:LISTEN`);
  }
  if (!running && l.status === 'loaded') {
    if (exitCode !== null && EXIT_MEANING[exitCode]) {
      return verdict(exitCode === 78 ? 'env-rejected' : 'not-executable', `The gateway exited with ${exitCode}: ${EXIT_MEANING[exitCode]}`, evidence, 'Rewrite the service files', 'openclaw gateway install --force');
    }
    const failing = (exitCode !== null && exitCode !== 0) || l.lastSignal !== null;
    if ((l.runs ?? 0) >= CRASH_LOOP_RUNS && (failing || l.state === 'spawn scheduled')) {
      return verdict('crash-loop', `The gateway is crash-looping: launchd has started it ${l.runs} times${exitCode !== null ? `, last exit ${exitCode}` : ''}${l.lastSignal ? `, ${l.lastSignal}` : ''}, and throttles the restarts`, evidence, 'Read why it exits', log);
    }
    return verdict('exited', `The gateway is not running${failing ? `: it exited (${exitCode ?? l.lastSignal})` : ''}`, evidence, 'Start it and read the log if it stops again', kickstart);
  }
  if (running && facts.holders.length === 0) {
    return verdict('not-listening', `The gateway process ${facts.gateway!.pid} is alive but does not listen on ${facts.port} (state ${facts.gateway!.stat}, CPU ${facts.gateway!.cpu}%)`, evidence, 'Restart it; if it stays silent, read the log', kickstart);
  }
  if (facts.holders.length > 0 && facts.health && !facts.health.answered) {
    const g = facts.gateway;
    const stopped = g !== null && g.stat.startsWith('T');
    return verdict('wedged', `The gateway listens on ${facts.port} but does not answer /health within 1 s${g ? ` (pid ${g.pid}, ${stopped ? 'stopped' : `state ${g.stat}`}, CPU ${g.cpu}%)` : ''}`, evidence, stopped ? `It is stopped (SIGSTOP/suspended): resume it with kill -CONT ${g!.pid}, or restart it` : 'Restart it (a wedged event loop does not recover)', stopped ? `kill -CONT ${g!.pid}` : kickstart);
  }
  if (!running && l.status !== 'loaded' && facts.holders.length === 0) {
    return verdict('exited', `No gateway process runs and nothing listens on ${facts.port}`, evidence, 'Start the gateway service', kickstart);
  }
  if (facts.sleep) return verdict('asleep', `The Mac is set to sleep (${facts.sleep.replace(/^pmset -g: /, '')}): the gateway stops answering while it sleeps`, evidence, 'Keep the Mac awake', 'sudo pmset -a sleep 0 powernap 0');
  if (facts.localNetwork) return verdict('local-network', facts.localNetwork, evidence, 'Allow the gateway\'s node in System Settings > Privacy & Security > Local Network');
  return verdict('unknown', 'The gateway does not answer and nothing here explains why', evidence, 'Read the gateway log', log);
}
