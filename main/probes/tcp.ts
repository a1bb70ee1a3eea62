import { connect, type Socket } from 'node:net';
import { between, elapsed, ProbeFailure, remaining, type Prober, type ProbeState } from './state.ts';

export interface Attempt {
  family: 4 | 6;
  address: string;
  ok: boolean;
  ms: number | null;
  error: string | null;
  socket: Socket | null;
  /** performance.now() at the socket's 'connect' event. */
  connectedAt: number | null;
}

/** One TCP connect with a deadline, timed from the connect call to the socket's 'connect' event; never throws. */
export function tryConnect(address: string, port: number, family: 4 | 6, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect({ host: address, port, family, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ family, address, ok: false, ms: null, error: 'ETIMEDOUT', socket: null, connectedAt: null });
    }, timeoutMs);
    socket.once('connect', () => {
      const connectedAt = performance.now();
      clearTimeout(timer);
      resolve({ family, address, ok: true, ms: between(started, connectedAt), error: null, socket, connectedAt });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ family, address, ok: false, ms: elapsed(started), error: error.code ?? error.message, socket: null, connectedAt: null });
    });
  });
}

/**
 * Connects over IPv4 and IPv6 separately (like `curl -4` and `curl -6`), in
 * parallel, so "IPv6 broken, IPv4 fine" is visible instead of hidden by Happy
 * Eyeballs. Continues on the first family in resolver order that connected.
 */
export async function connectFamilies(state: ProbeState, host: string, port: number, addresses: Array<{ address: string; family: 4 | 6 }>): Promise<Attempt & { socket: Socket }> {
  const firstOfFamily = [4, 6].map((family) => addresses.find((a) => a.family === family)).filter((a): a is { address: string; family: 4 | 6 } => a !== undefined);
  const order = addresses.map((a) => a.family).filter((f, i, all) => all.indexOf(f) === i);
  const attempts = await Promise.all(firstOfFamily.map((a) => tryConnect(a.address, port, a.family, remaining(state))));
  state.result.families = attempts.map(({ socket: _socket, connectedAt: _at, ...rest }) => rest);
  const byFamily = new Map(attempts.map((a) => [a.family, a]));
  const chosen = order.map((f) => byFamily.get(f)!).find((a) => a.ok) ?? null;
  for (const attempt of attempts) if (attempt !== chosen) attempt.socket?.destroy();
  const failed = attempts.filter((a) => !a.ok);
  if (chosen && failed.length > 0) {
    state.result.notes.push(`IPv${failed[0]!.family} path broken (${failed[0]!.error} to ${failed[0]!.address}), IPv${chosen.family} fine`);
  }
  if (!chosen) {
    const first = byFamily.get(order[0]!)!;
    const split = attempts.length > 1 ? ` (IPv4: ${byFamily.get(4)?.error}, IPv6: ${byFamily.get(6)?.error})` : '';
    throw new ProbeFailure('connect', first.error ?? 'ERROR', `could not connect to ${host} port ${port}: ${first.error} to ${first.address}${split}`);
  }
  return chosen as Attempt & { socket: Socket };
}

/** Direct route: TCP to the target's own addresses. */
export const probeTcp: Prober = async (state) => {
  state.progress('connect');
  const attempt = await connectFamilies(state, state.host, state.port, state.addresses);
  state.result.phases.connectMs = attempt.ms;
  state.result.family = attempt.family;
  state.result.address = attempt.address;
  state.phaseEnd = attempt.connectedAt!;
  state.socket = attempt.socket;
};
