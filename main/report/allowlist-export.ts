import { AllowlistExport, type AllowlistExportRow, type GatewayInfo, type LastProbeRun, type ProbeResult } from '../contract.ts';
import type { Route } from '../probes/route.ts';
import { allowlistTarget, defaultTargets, type AllowlistRow } from '../probes/targets.ts';
import type { GatewayConfig } from '../service/openclaw-config.ts';
import type { Redactor } from '../system/redact.ts';
import { curlCommand, PROXY_PASSWORD_VARIABLE } from './curl-command.ts';

export interface ExportInputs {
  allowlist: AllowlistRow[];
  gateway: GatewayInfo;
  config: GatewayConfig;
  lastProbe: LastProbeRun | null;
  /** How the daemon would route a URL (the probe suite's own rule), for rows the last run did not cover. */
  routeFor: (url: string) => Route;
  /** The daemon's NODE_EXTRA_CA_CERTS, if any. */
  caFile: string | null;
  redactor: Redactor;
  now?: Date;
}

const sameUrl = (a: string, b: string) => { try { return new URL(a).href === new URL(b).href; } catch { return false; } };

/**
 * The firewall-ticket rows: every allowlist row, then each egress host the
 * gateway's config implies (model providers, OpenClaw's own hosts) that the
 * allowlist does not cover yet — a ticket must list what the gateway really
 * needs. Each row carries the curl command with the route, pin and CA the
 * last probe used, and that probe's result.
 */
export function buildAllowlistExport(inputs: ExportInputs): AllowlistExport {
  const covered = new Set(inputs.allowlist.map((row) => `${row.host.toLowerCase()}:${row.port}`));
  const implied: AllowlistRow[] = [];
  for (const target of defaultTargets(inputs.gateway, inputs.config, [])) {
    if (target.kind !== 'provider' && target.kind !== 'openclaw') continue;
    const url = new URL(target.url);
    const tls = url.protocol === 'https:' || url.protocol === 'wss:';
    const row = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || (tls ? 443 : 80), tls, path: url.pathname, pii: false, purpose: target.name ?? undefined };
    if (covered.has(`${row.host.toLowerCase()}:${row.port}`)) continue;
    covered.add(`${row.host.toLowerCase()}:${row.port}`);
    implied.push(row);
  }
  const probe = inputs.lastProbe;
  const rows = [...inputs.allowlist.map((row) => [row, 'allowlist'] as const), ...implied.map((row) => [row, 'config'] as const)].map(([row, source]): AllowlistExportRow => {
    const url = new URL(allowlistTarget(row).url).href;
    const result: ProbeResult | undefined = probe?.report.results.find((r) => sameUrl(r.target, url));
    const asked = probe?.targets.find((t) => sameUrl(t.url, url));
    const route = result ? { via: result.via, proxy: result.route.proxy } : inputs.routeFor(url);
    return {
      host: row.host, port: row.port, tls: row.tls, sni: row.sni ?? row.host,
      owner: row.owner ?? null, rotationContact: row.rotationContact ?? null, pii: source === 'allowlist' ? row.pii : null, purpose: row.purpose ?? null,
      source, url,
      command: curlCommand({ url, sni: row.sni ?? null, pin: asked?.pin ?? null, via: route.via === 'proxy' ? 'proxy' : 'direct', proxy: route.proxy, caFile: row.tls ? inputs.caFile : null }),
      lastResult: result && probe ? {
        at: probe.report.startedAt, ok: result.ok, layer: result.layer, errorCode: result.error?.code ?? null,
        status: result.http?.status ?? null, via: result.via, totalMs: Math.round(result.phases.totalMs),
      } : null,
    };
  });
  const notes: string[] = [];
  if (!probe) notes.push('No probe run is recorded on this node yet: run `clawbar probe` for the last-result column.');
  if (rows.some((r) => r.command.includes(`$${PROXY_PASSWORD_VARIABLE}`))) notes.push(`Commands through the authenticated proxy read its password from $${PROXY_PASSWORD_VARIABLE}; set it before running them (it is never written here).`);
  if (inputs.caFile) notes.push(`--cacert is the daemon's NODE_EXTRA_CA_CERTS (${inputs.caFile}): Node trusts it in addition to its built-in roots, curl trusts only this file.`);
  if (implied.length) notes.push("Rows with source 'config' come from the gateway's configuration and are not in the allowlist yet: add owner, rotation contact and PII to allowlist.yaml.");
  return AllowlistExport.parse(inputs.redactor.deep({
    schema: 'clawbar.allowlist/1',
    generatedAt: (inputs.now ?? new Date()).toISOString(),
    lastProbeAt: probe?.report.startedAt ?? null,
    rows,
    notes,
  } satisfies AllowlistExport));
}
