import type { ServiceEnvironment } from '../service/environment.ts';
import type { Session } from '../session/session.ts';

/**
 * The watcher's continuous egress sampling: one sample of the gateway tree's
 * connections into the kept window each turn. lsof unable to look is the
 * check's failure (a finding), said once in the watcher's log when it starts
 * and once when it ends, not at every sample.
 */
export class EgressSampler {
  private readonly session: Session;
  private readonly say: ((line: string) => void) | undefined;
  /** Whether the last sample could not look. */
  private blind = false;

  constructor(session: Session, say?: (line: string) => void) {
    this.session = session;
    this.say = say;
  }

  /** Nothing to sample before the service has been read. */
  async sample(service: ServiceEnvironment | null): Promise<void> {
    if (!service) return;
    const seen = await this.session.daemon.sampleEgress(service);
    const blind = seen === 'unavailable';
    if (blind !== this.blind) this.say?.(blind ? "egress sampling: lsof could not list the gateway's sockets" : 'egress sampling: sockets listed again');
    this.blind = blind;
    if (blind) throw new Error("lsof could not list the gateway's sockets (install lsof, or run the watcher as the gateway's user or root)");
  }
}
