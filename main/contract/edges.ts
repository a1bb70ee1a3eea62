import { z } from 'zod';
import { Finding, Severity } from './common.ts';
import { Remedy } from './remedy.ts';

/** Every way into the gateway (`clawbar edges`) and the one-line verdict of why it is down. */

/** Where a listener is reachable from: the listener scan's classes (glance.ts builds on this file, so the enum lives here). */
const Exposure = z.enum(['loopback', 'specific', 'wildcard']);

/** A listener held by the gateway's own process tree, attributed by walking the tree from the gateway's pid. */
export const TreeListener = z.object({
  role: z.enum(['gateway', 'browser-control', 'cdp', 'other']),
  address: z.string(),
  port: z.number(),
  exposure: Exposure,
  process: z.string(),
  pid: z.number(),
  /** How the process descends from the gateway: pids from the gateway down. */
  lineage: z.array(z.number()),
  severity: Severity,
});
export type TreeListener = z.infer<typeof TreeListener>;

export const TlsFacts = z.object({
  /** Each protocol version tried, and whether the edge completed a handshake with it. */
  versions: z.array(z.object({ version: z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']), accepted: z.boolean() })),
  subject: z.string().nullable(),
  issuer: z.string().nullable(),
  selfSigned: z.boolean(),
  /** Subject of each certificate the edge sent, leaf first. */
  chain: z.array(z.string()),
  san: z.array(z.string()),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  daysToExpiry: z.number().nullable(),
  ageDays: z.number().nullable(),
  hsts: z.string().nullable(),
});
export type TlsFacts = z.infer<typeof TlsFacts>;

/** A local listener whose upstream is the gateway: it answered with the gateway's own health response. */
export const ProxyEdge = z.object({
  url: z.string(),
  address: z.string(),
  port: z.number(),
  exposure: Exposure,
  process: z.string().nullable(),
  pid: z.number().nullable(),
  server: z.string().nullable(),
  source: z.enum(['listener', 'given']),
  tls: TlsFacts.nullable(),
  upstream: z.object({ loopback: z.boolean().nullable(), detail: z.string() }),
  /** The live test through this edge: a forged X-Forwarded-For must not reach the gateway as the client. */
  forgedHeader: z.object({ status: z.number().nullable(), reachedGateway: z.boolean().nullable(), detail: z.string() }),
  /** Facts worth a line that are no finding (a young or self-signed certificate under HSTS). */
  notes: z.array(z.string()),
  severity: Severity,
});
export type ProxyEdge = z.infer<typeof ProxyEdge>;

export const RemotePath = z.object({
  kind: z.enum(['sshd', 'tailscale-serve', 'tailscale-funnel', 'cloudflared', 'ngrok', 'ssh-reverse-tunnel', 'edge']),
  detail: z.string(),
  /** Whether this path leads to the gateway (a Serve handler, a tunnel's target) or only could (sshd). */
  toGateway: z.boolean(),
  pid: z.number().nullable(),
  severity: Severity,
});
export type RemotePath = z.infer<typeof RemotePath>;

export const EdgesReport = z.object({
  schema: z.literal('clawbar.edges/1'),
  overall: Severity,
  gateway: z.object({ port: z.number(), pid: z.number().nullable(), pidSource: z.string().nullable(), trustedProxies: z.array(z.string()), tailscaleMode: z.string() }),
  tree: z.array(TreeListener),
  mdns: z.object({ mode: z.string(), source: z.string(), advertising: z.boolean() }),
  proxies: z.array(ProxyEdge),
  forwarded: z.object({
    /** The direct negative test: forged X-Forwarded-For from a local source that is not a trusted proxy. */
    direct: z.object({ source: z.string().nullable(), status: z.number().nullable(), refused: z.boolean().nullable(), detail: z.string() }),
  }),
  remote: z.array(RemotePath),
  /** Tools that could not be asked (tailscale missing, ps failed): reported, never fatal. */
  unavailable: z.array(z.string()),
  findings: z.array(Finding),
});
export type EdgesReport = z.infer<typeof EdgesReport>;

export const DownCause = z.enum([
  'not-loaded', 'spawn-failed', 'env-rejected', 'not-executable', 'crash-loop', 'exited', 'port-held',
  'not-listening', 'wedged', 'asleep', 'local-network', 'unknown',
]);
export type DownCause = z.infer<typeof DownCause>;

/** Why the gateway does not answer, in one line, with the evidence under it and the one action. */
export const DownVerdict = z.object({
  cause: DownCause,
  line: z.string(),
  evidence: z.array(z.string()),
  action: z.string(),
  remedy: Remedy,
});
export type DownVerdict = z.infer<typeof DownVerdict>;
