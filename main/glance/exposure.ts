import { isIP } from 'node:net';
import type { Listener, Severity } from '../contract.ts';
import type { RawListener } from './lsof.ts';

/**
 * macOS system listeners that are wildcard by design. They are named so an
 * operator does not chase them, but still shown: AirPlay Receiver can be
 * switched off in System Settings if port 5000/7000 matter.
 */
const KNOWN_SYSTEM: Array<{ match: (l: RawListener) => boolean; note: string }> = [
  { match: (l) => /^ControlCe/.test(l.command) && (l.port === 5000 || l.port === 7000), note: 'macOS AirPlay Receiver (ControlCenter); turn off in System Settings > General > AirDrop & Handoff if not needed' },
  { match: (l) => l.command === 'rapportd', note: 'macOS rapportd (Continuity / Handoff)' },
  { match: (l) => /^(launchd|mDNSRespo|sharingd|screensha|sshd|ARDAgent)/.test(l.command), note: 'macOS system service' },
];

const ipv4ToInt = (ip: string) => ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
const inV4 = (ip: string, base: string, bits: number) => (ipv4ToInt(ip) >>> (32 - bits)) === (ipv4ToInt(base) >>> (32 - bits));

/** loopback / specific / wildcard, and for a specific address which network it is on. */
export function classifyAddress(address: string): { exposure: Listener['exposure']; network: string | null } {
  const a = address.toLowerCase().replace(/%.*$/, '').replace(/^::ffff:/, '');
  if (a === '*' || a === '0.0.0.0' || a === '::' || a === '0:0:0:0:0:0:0:0') return { exposure: 'wildcard', network: null };
  if (a === 'localhost' || a === '::1' || (isIP(a) === 4 && inV4(a, '127.0.0.0', 8))) return { exposure: 'loopback', network: null };
  if (isIP(a) === 4) {
    if (inV4(a, '100.64.0.0', 10)) return { exposure: 'specific', network: 'tailnet (100.64/10)' };
    if (inV4(a, '10.0.0.0', 8) || inV4(a, '172.16.0.0', 12) || inV4(a, '192.168.0.0', 16)) return { exposure: 'specific', network: 'lan' };
    if (inV4(a, '169.254.0.0', 16)) return { exposure: 'specific', network: 'link-local' };
    return { exposure: 'specific', network: 'public' };
  }
  if (/^fe[89ab]/.test(a)) return { exposure: 'specific', network: 'link-local' };
  if (/^f[cd]/.test(a)) return { exposure: 'specific', network: a.startsWith('fd7a:115c:a1e0') ? 'tailnet (fd7a:115c:a1e0::/48)' : 'lan (ULA)' };
  return { exposure: 'specific', network: isIP(a) ? 'public' : null };
}

export interface ExposureContext {
  gatewayPort: number | null;
  authMode: string | null;
  /** Ports with a documented exception (settings), e.g. a token-auth gateway deliberately on the tailnet. */
  exceptions: number[];
}

/** Severity of one listener: the gateway's port beyond loopback is critical, other wildcards warn. */
export function assessListener(raw: RawListener, context: ExposureContext): Listener {
  const { exposure, network } = classifyAddress(raw.address);
  const known = KNOWN_SYSTEM.find((k) => k.match(raw));
  let severity: Severity = 'ok';
  let note: string | null = known?.note ?? null;
  if (raw.port === context.gatewayPort && exposure !== 'loopback') {
    const documented = context.exceptions.includes(raw.port) && context.authMode !== 'none';
    severity = documented ? 'warn' : 'critical';
    note = `the OpenClaw gateway's port on ${exposure === 'wildcard' ? 'every interface' : network ?? raw.address}${context.authMode === 'none' ? ' with no authentication' : ''}${documented ? ' (documented exception)' : ''}`;
  } else if (exposure === 'wildcard' && !known) {
    severity = 'warn';
  }
  return {
    address: raw.address, port: raw.port, family: raw.family ?? (raw.address.includes(':') ? 6 : isIP(raw.address) === 4 ? 4 : null),
    process: raw.command, pid: raw.pid, user: raw.user, exposure, network, severity, note,
  };
}
