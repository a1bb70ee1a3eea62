import { join } from 'node:path';

/**
 * Where clawbar keeps its own files. Everything derives from HOME (and the XDG
 * variables off macOS), so a temporary HOME is a complete, isolated world.
 */
export interface ClawbarPaths {
  /** Settings shared by the app and the CLI, and the egress allowlist. */
  configDir: string;
  /** JSON-lines logs. */
  logDir: string;
  /** Listener baselines, fix bundles and other state. */
  stateDir: string;
}

export function clawbarPaths(env: Record<string, string | undefined> = process.env, platform = process.platform): ClawbarPaths {
  const home = env.HOME ?? '/';
  if (platform === 'darwin') {
    return {
      configDir: join(home, 'Library', 'Application Support', 'clawbar'),
      logDir: join(home, 'Library', 'Logs', 'clawbar'),
      stateDir: join(home, 'Library', 'Application Support', 'clawbar', 'state'),
    };
  }
  return {
    configDir: join(env.XDG_CONFIG_HOME || join(home, '.config'), 'clawbar'),
    logDir: join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'clawbar', 'logs'),
    stateDir: join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'clawbar'),
  };
}
