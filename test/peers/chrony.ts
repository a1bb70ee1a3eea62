import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, Peer } from './peer.ts';
import { sntpQuery } from './sntp-server.ts';

/** Stratum chronyd claims for its own clock; a real NTP answer carries it. */
export const CHRONY_STRATUM = 8;

export interface RunningChrony {
  port: number;
  /** Milliseconds from spawn until a real NTP reply, to the poll interval of waitFor(). */
  readyMs: number;
  stop(): Promise<void>;
  peer: Peer;
}

/**
 * Starts chronyd in the foreground as an NTP server for 127.0.0.1 on a high
 * port, serving its local clock at stratum 8. `-x` keeps it from touching
 * the system clock, `-4` keeps it off IPv6 (no wildcard :: socket), and
 * `cmdport 0` disables the control socket. chrony 4.3 with `local` and no
 * sources answers at stratum 8 (LI 0) as soon as its socket is bound, about
 * 50 ms after spawn; before that a query just goes unanswered, so ready()
 * waits for a real mode-4 reply with our stratum rather than for the port.
 */
export async function startChrony(options: { dir: string }): Promise<RunningChrony> {
  const { dir } = options;
  const port = await freePort();
  const conf = join(dir, 'chrony.conf');
  await writeFile(conf, `# written by the clawbar tests
port ${port}
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum ${CHRONY_STRATUM}
cmdport 0
pidfile ${join(dir, 'chronyd.pid')}
driftfile ${join(dir, 'chrony.drift')}
`);
  const args = ['-d', '-x', '-4', '-f', conf];
  // As root chronyd switches to its packaged user, which cannot write our temp dir.
  if (process.getuid?.() === 0) args.push('-u', 'root');
  const peer = new Peer({ name: 'chronyd', command: 'chronyd', args, cwd: dir });
  await peer.start();
  const readyMs = await peer.ready(async () => {
    const reply = await sntpQuery('127.0.0.1', port, 150);
    return reply.mode === 4 && reply.stratum === CHRONY_STRATUM;
  }, 15_000);
  return { port, readyMs, stop: () => peer.stop(), peer };
}
