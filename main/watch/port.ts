import type { AgentState, Notice } from '../ipc-contract.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import type { Session } from '../session/session.ts';
import type { Settings } from '../settings-schema.ts';

export type Recheck = 'health' | 'listeners' | 'clock' | 'service' | 'probes';

/** What the agent lends its extras: its checks, its loops and its state, never its internals. */
export interface AgentPort {
  role: 'app' | 'watcher';
  session: Session;
  settings(): Settings;
  service(): ServiceEnvironment | null;
  /** The agent's own state as it last published it after a check (redacted). */
  ownState(): AgentState;
  fixing(): boolean;
  recheck(check: Recheck): Promise<void>;
  /** Start (own) or stop (disown) the agent's scheduled loops. */
  own(): void;
  disown(): Promise<void>;
  publish(): void;
  notify(notice: Notice): void;
  applySettings(settings: Settings): Promise<unknown>;
  cycleMs(): number;
  /** When the latest health sample was taken: a run that joined one in flight brings no new look. */
  lastSampleAt(): number | null;
  /** Writes the metrics textfile and status line now (the schedule's first run comes before the other checks have answered). */
  publishFleet(): Promise<void>;
  /** One line for whoever runs the agent (the watcher's log); the app passes none. */
  say?: (line: string) => void;
}
