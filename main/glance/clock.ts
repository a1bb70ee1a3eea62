import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { fixRemedy, type ClockReport, type Finding } from '../contract.ts';
import type { Executor } from '../system/exec.ts';
import { UsageError } from '../system/errors.ts';
import { sntpBest, wallClock } from './sntp.ts';

/**
 * How far off the Mac's clock is, and what that breaks for the gateway.
 * OpenClaw's device auth and the providers' JWTs are signed with timestamps,
 * so a drifting headless Mac fails auth long before anyone looks at its clock.
 */

export interface ClockOptions {
  /** HOST, HOST:PORT or [v6]:PORT; default: the Mac's configured time server. */
  server?: string;
  exec: Executor;
  /** Fallback when UDP 123 gets no answer: any HTTPS URL whose server sends a Date header. */
  httpDateUrls?: string[];
  /** PEM file trusted in addition to the system roots for the Date fallback (tests' private CA). */
  ca?: string;
  samples?: number;
  timeoutMs?: number;
  warnMs?: number;
  criticalMs?: number;
}

export const DEFAULT_TIME_SERVER = 'time.apple.com';
const NTP_PORT = 123;
const MAX_DATE_URLS = 4;

/**
 * Limits past which a skewed clock breaks something, largest blast radius
 * first in practice. TLS is the odd one: a certificate issued minutes ago
 * (ACME, a corporate inspection proxy minting leaves on the fly) has a
 * notBefore of "now", so a clock that is behind sees it as not yet valid;
 * CAs backdate by about an hour, which is the margin this models.
 */
export const CLOCK_LIMITS: ReadonlyArray<{ what: string; limitMs: number }> = [
  { what: 'OpenClaw device-auth signatures', limitMs: 120_000 },
  { what: 'JWT validation (typical 60 s leeway)', limitMs: 60_000 },
  { what: 'Kerberos', limitMs: 300_000 },
  { what: 'TLS certificate validity windows (new certificates)', limitMs: 3_600_000 },
];

/** Splits HOST[:PORT] / [v6]:PORT / bare v6; a bad port is the caller's mistake, so UsageError. */
export function parseServerSpec(spec: string): { host: string; port: number } {
  const text = spec.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const hostPort = /^([^:[\]\s]+):(\d+)$/.exec(text);
  const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : hostPort ? [hostPort[1]!, hostPort[2]] : [text, undefined];
  const number = port === undefined ? NTP_PORT : Number(port);
  // A host name or an address, never an option: the host becomes an argument of sntp.
  const hostOk = isIP(host) !== 0 || /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/.test(host);
  if (!hostOk || !Number.isInteger(number) || number < 1 || number > 65535) {
    throw new UsageError(`not a time server (HOST, HOST:PORT or [IPv6]:PORT): ${JSON.stringify(spec)}`);
  }
  return { host, port: number };
}

/** The display form: port only when it is not 123, brackets for IPv6. */
export function formatServer(host: string, port: number): string {
  if (port === NTP_PORT) return host;
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * `systemsetup -getnetworktimeserver` prints `Network Time Server: time.apple.com`;
 * without sudo, recent macOS prints "You need administrator access..." instead,
 * which yields null so the caller falls back to Apple's default.
 */
export function parseNetworkTimeServer(stdout: string): string | null {
  const match = /Network Time Server:\s*([^\s,]+)/i.exec(stdout);
  return match ? match[1]! : null;
}

async function configuredServer(exec: Executor): Promise<string | null> {
  const result = await exec('systemsetup', ['-getnetworktimeserver'], { timeoutMs: 5_000, maxBytes: 64 * 1024 });
  return result.available && result.code === 0 ? parseNetworkTimeServer(result.stdout) : null;
}

export function clockState(offsetMs: number, warnMs: number, criticalMs: number): 'ok' | 'warn' | 'critical' {
  const size = Math.abs(offsetMs);
  return size >= criticalMs ? 'critical' : size >= warnMs ? 'warn' : 'ok';
}

export function clockBreaks(offsetMs: number): ClockReport['breaks'] {
  return CLOCK_LIMITS.map(({ what, limitMs }) => ({ what, limitMs, broken: Math.abs(offsetMs) >= limitMs }));
}

/**
 * Offset from an HTTP Date header. The header is stamped somewhere between our
 * send and receive and truncated to the second, so the server time is
 * Date + 500 ms ± 500 ms at the request's midpoint: the uncertainty is
 * 500 + rtt/2. A cache keeps the origin's Date and says how stale it is in
 * Age (also whole seconds), so that is added back with its own ±500 ms.
 */
export function dateHeaderOffset(date: string, sentMs: number, receivedMs: number, ageSeconds = 0): { offsetMs: number; uncertaintyMs: number; roundTripMs: number } | null {
  const serverMs = Date.parse(date);
  if (!Number.isFinite(serverMs) || !/\d{2}:\d{2}:\d{2}/.test(date)) return null;
  const roundTripMs = receivedMs - sentMs;
  const age = Number.isInteger(ageSeconds) && ageSeconds > 0 ? ageSeconds : 0;
  return {
    offsetMs: serverMs + age * 1_000 + (age > 0 ? 1_000 : 500) - (sentMs + receivedMs) / 2,
    uncertaintyMs: (age > 0 ? 1_000 : 500) + roundTripMs / 2, roundTripMs,
  };
}

/** "+90.0 s" / "-12 ms" / "+2.5 h": the sign is server minus local. */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const size = Math.abs(offsetMs);
  if (size < 1_000) return `${sign}${Math.round(size)} ms`;
  if (size < 120_000) return `${sign}${(size / 1_000).toFixed(1)} s`;
  if (size < 7_200_000) return `${sign}${(size / 60_000).toFixed(1)} min`;
  return `${sign}${(size / 3_600_000).toFixed(1)} h`;
}

interface DateSample { offsetMs: number; uncertaintyMs: number; roundTripMs: number; url: string; samples: number }

/**
 * Two HEADs on one kept-alive connection: the second one's round trip has no
 * TCP/TLS handshake in it, so it usually narrows the window. Any status will
 * do; only the Date header matters.
 */
async function dateFromUrl(url: string, ca: string | null, timeoutMs: number): Promise<DateSample> {
  // undici (about 110 modules) loads only for this fallback, never on the SNTP path every status takes.
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connections: 1, autoSelectFamily: true, connect: { timeout: timeoutMs, ...(ca ? { ca: [...rootCertificates, ca] } : {}) } });
  try {
    let best: DateSample | null = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      const clock = wallClock();
      const sent = clock();
      const response = await request(url, { method: 'HEAD', dispatcher: agent, signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs })
        .catch((error: Error) => { if (best) return null; throw error; });
      // The warm-up answered, so a failed second request costs precision, not the measurement.
      if (!response) break;
      const received = clock();
      await response.body.dump();
      const first = (name: string) => [response.headers[name]].flat()[0] ?? '';
      const sample = dateHeaderOffset(first('date'), sent, received, Number(first('age') || 0));
      if (!sample) throw new Error(`${url} answered ${response.statusCode} without a usable Date header`);
      if (!best || sample.uncertaintyMs < best.uncertaintyMs) best = { ...sample, url, samples: attempt + 1 };
      else best.samples = attempt + 1;
    }
    return best!;
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

async function dateFallback(urls: string[], caPath: string | undefined, timeoutMs: number): Promise<{ sample: DateSample | null; errors: string[] }> {
  const errors: string[] = [];
  let ca: string | null = null;
  if (caPath) ca = await readFile(caPath, 'utf8').catch((error: Error) => { errors.push(`cannot read CA ${caPath}: ${error.message}`); return null; });
  for (const url of urls.slice(0, MAX_DATE_URLS)) {
    try {
      return { sample: await dateFromUrl(url, ca, timeoutMs), errors };
    } catch (error) {
      errors.push(`${url}: ${(error as Error).message}`);
    }
  }
  return { sample: null, errors };
}

const round1 = (value: number) => Math.round(value * 10) / 10;

function fixFor(host: string): string {
  return `Run \`clawbar fix clock\`, or by hand: \`sudo sntp -sS ${host}\` steps the clock now and \`sudo systemsetup -setusingnetworktime on\` keeps it synced.`;
}

function offsetFinding(state: 'warn' | 'critical', offsetMs: number, server: string, host: string, detail: string): Finding {
  const broken = clockBreaks(offsetMs).filter((b) => b.broken).map((b) => b.what);
  const nextLimit = CLOCK_LIMITS.filter((l) => l.limitMs > Math.abs(offsetMs)).sort((a, b) => a.limitMs - b.limitMs)[0];
  const impact = broken.length > 0 ? `breaks ${broken.join(', ')}`
    : `nothing breaks yet${nextLimit ? `; ${nextLimit.what} fails at ±${formatOffset(nextLimit.limitMs).slice(1)}` : ''}`;
  return {
    id: 'clock.offset', severity: state,
    title: `Clock is ${formatOffset(offsetMs).slice(1)} ${offsetMs > 0 ? 'behind' : 'ahead of'} ${server} (offset ${formatOffset(offsetMs)}): ${impact}`,
    detail, fix: fixFor(host), remedy: fixRemedy('clock'),
  };
}

/**
 * Measures the offset with SNTP, falling back to HTTPS Date headers when
 * UDP 123 gets no answer (common behind corporate firewalls). Never throws
 * for network trouble: an unmeasurable clock is state 'unknown' with a finding.
 */
export async function measureClock(options: ClockOptions): Promise<ClockReport> {
  const warnMs = options.warnMs ?? 1_000;
  const criticalMs = options.criticalMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 1_500;
  const spec = options.server ?? (await configuredServer(options.exec)) ?? DEFAULT_TIME_SERVER;
  const { host, port } = parseServerSpec(spec);
  const server = formatServer(host, port);
  let sntpError: string;
  let sntpSummary: string;
  let blocked = false;
  try {
    const best = await sntpBest(host, port, { samples: options.samples ?? 4, timeoutMs });
    const state = clockState(best.offsetMs, warnMs, criticalMs);
    const detail = `SNTP, best of ${best.answered}/${best.sent} samples from ${best.server}: round trip ${round1(best.roundTripMs)} ms, stratum ${best.stratum}.`;
    return {
      state, offsetMs: round1(best.offsetMs), roundTripMs: round1(best.roundTripMs), stratum: best.stratum, server,
      method: 'sntp', samples: best.answered, sntpError: null, breaks: clockBreaks(best.offsetMs),
      findings: state === 'ok' ? [] : [offsetFinding(state, best.offsetMs, server, host, detail)],
    };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    blocked = failure.code === 'ETIMEDOUT';
    sntpSummary = blocked ? `SNTP got no answer from ${server} (UDP 123 may be blocked)` : `SNTP to ${server} failed`;
    sntpError = `${sntpSummary}: ${failure.message}`;
  }
  const { sample, errors } = await dateFallback(options.httpDateUrls ?? [], options.ca, Math.max(timeoutMs, 3_000));
  const unblockFix = `Allow outbound UDP 123 to ${host}, or choose a reachable server: \`sudo systemsetup -setnetworktimeserver <host>\`.`;
  if (!sample) {
    return {
      state: 'unknown', offsetMs: null, roundTripMs: null, stratum: null, server, method: null, samples: 0, sntpError, breaks: [],
      findings: [{
        id: 'clock.unknown', severity: 'warn', title: 'Clock offset could not be measured',
        detail: `${sntpError}. ${errors.length > 0 ? `HTTP Date fallback failed: ${errors.join('; ')}.` : 'No HTTP Date fallback URL was given.'}`,
        fix: unblockFix,
        // With no measurement the wizard still offers to set the clock: the fix measures again afterwards.
        remedy: fixRemedy('clock'),
      }],
    };
  }
  // With ±1 s resolution, only a skew that is certainly past the line should colour the tray.
  const state = clockState(Math.max(0, Math.abs(sample.offsetMs) - sample.uncertaintyMs), warnMs, criticalMs);
  const origin = new URL(sample.url).origin;
  const resolution = `Measured from the HTTP Date header of ${origin} (${sample.samples} request(s), round trip ${round1(sample.roundTripMs)} ms); the header has 1 s resolution, so this offset is only good to ±${Math.round(sample.uncertaintyMs)} ms.`;
  const findings: Finding[] = [{
    id: 'clock.sntp-blocked', severity: 'warn', title: `${sntpSummary}; the clock was measured from an HTTP Date header instead`,
    detail: `${sntpError}.${blocked ? ' macOS keeps time over the same UDP 123, so without it the clock drifts.' : ''} ${resolution}`, fix: unblockFix,
  }];
  if (state !== 'ok') findings.push(offsetFinding(state, sample.offsetMs, origin, host, resolution));
  return {
    state, offsetMs: round1(sample.offsetMs), roundTripMs: round1(sample.roundTripMs), stratum: null, server: origin,
    method: 'http-date', samples: sample.samples, sntpError, breaks: clockBreaks(sample.offsetMs), findings,
  };
}
