import type { Socket } from 'node:net';
import type { ProbeResult, ProbeTarget } from '../contract.ts';
import type { Route } from './route.ts';

export type Phase = 'dns' | 'connect' | 'proxy' | 'tls' | 'http' | 'websocket';

/**
 * A failure in one phase, carrying the raw facts (error code, HTTP status)
 * that classify.ts turns into a layer, an explanation and a fix.
 */
export class ProbeFailure extends Error {
  readonly phase: Phase;
  readonly code: string;
  readonly status: number | null;
  constructor(phase: Phase, code: string, message: string, status: number | null = null) {
    super(message);
    this.phase = phase;
    this.code = code;
    this.status = status;
  }
}

/** Everything one target's probe accumulates as it goes through its phases. */
export interface ProbeState {
  target: ProbeTarget;
  url: URL;
  host: string;
  port: number;
  secure: boolean;
  websocket: boolean;
  timeoutMs: number;
  dnsServers: string[];
  /** Resolvers to query directly for comparison while the system resolver decides. */
  compareResolvers: string[];
  route: Route;
  started: number;
  /**
   * When the last phase ended, taken at its socket event (connect, CONNECT
   * answer, secureConnect): the next phase is timed from there, as curl's
   * cumulative -w times are differenced, so the phases add up to the total.
   */
  phaseEnd?: number;
  socket: Socket | null;
  /** Addresses to connect to, in resolver order. */
  addresses: Array<{ address: string; family: 4 | 6 }>;
  result: Omit<ProbeResult, 'ok' | 'layer' | 'error' | 'explanation' | 'fix'>;
  progress: (phase: string) => void;
  /** The start of the response body, for telling a WAF page from an API error. */
  httpBody?: { text: string; contentType: string; retryAfter: string | null };
}

/** The common signature of every prober: advance the state or throw a ProbeFailure. */
export type Prober = (state: ProbeState) => Promise<void>;

/** Milliseconds between two performance.now() readings, to 0.01 ms. */
export const between = (from: number, to: number) => Math.round((to - from) * 100) / 100;

export const elapsed = (from: number) => between(from, performance.now());

/** Rejects with a phase timeout after `ms`, and always clears its timer. */
export async function withTimeout<T>(phase: Phase, ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ProbeFailure(phase, 'ETIMEDOUT', `${phase} did not complete within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Time left before the probe's overall deadline, never below a small floor. */
export const remaining = (state: ProbeState) => Math.max(250, Math.floor(state.timeoutMs - (performance.now() - state.started)));
