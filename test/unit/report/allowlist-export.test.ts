import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayInfo } from '../../../main/contract.ts';
import { decideRoute } from '../../../main/probes/route.ts';
import { buildAllowlistExport } from '../../../main/report/allowlist-export.ts';
import { allowlistCsv, allowlistMarkdown, csvField } from '../../../main/report/allowlist-format.ts';
import { readGatewayConfig } from '../../../main/service/openclaw-config.ts';
import { Redactor } from '../../../main/system/redact.ts';
import { AllowlistRow } from '../../../main/probes/targets.ts';
import { lastProbe, result } from './samples.ts';

const gateway: GatewayInfo = {
  configPath: '/Users/ops/.openclaw/openclaw.json', configReason: 'default', configFound: true, profile: null, port: 18789, portSource: 'default',
  bind: 'loopback', customBindHost: null, authMode: 'token', trustedProxies: [], proxyUrl: null,
  healthUrl: 'http://127.0.0.1:18789/health', readyUrl: 'http://127.0.0.1:18789/readyz', wsUrl: 'ws://127.0.0.1:18789/',
};
const config = readGatewayConfig({ models: { catalogRefresh: { enabled: false }, providers: { anthropic: { baseUrl: 'https://api.anthropic.com' } } }, update: { checkOnStart: false } });
const PASSWORD = 'Prx-s3cret-0pen';
const env = { HTTPS_PROXY: `http://ops:${PASSWORD}@proxy.corp.test:3128`, NO_PROXY: 'api.corp.test' };
const rows = [
  AllowlistRow.parse({ host: 'api.corp.test', owner: 'platform-team', rotationContact: 'secops@example.com', pii: true, purpose: 'model inference' }),
  AllowlistRow.parse({ host: 'hooks.corp.test', port: 8443, owner: 'chatops', purpose: 'alerts, "pager" | ops' }),
  AllowlistRow.parse({ host: 'api.anthropic.com', owner: 'ml-team', purpose: 'Claude' }),
];
const inputs = (probe: ReturnType<typeof lastProbe> | null) => ({
  allowlist: rows, gateway, config, lastProbe: probe, caFile: '/Users/ops/corp-ca.pem',
  routeFor: (url: string) => decideRoute(new URL(url), env, null),
  redactor: new Redactor().addEnvironment(env), now: new Date('2026-11-21T10:05:00.000Z'),
});

describe('firewall-ticket export of the allowlist', () => {
  it('lists the allowlist rows, then egress the config implies and the allowlist lacks', () => {
    const doc = buildAllowlistExport(inputs(null));
    assert.deepEqual(doc.rows.map((r) => [r.host, r.port, r.source]), [
      ['api.corp.test', 443, 'allowlist'], ['hooks.corp.test', 8443, 'allowlist'], ['api.anthropic.com', 443, 'allowlist'], ['clawhub.ai', 443, 'config'],
    ]);
    assert.equal(doc.rows[3]!.pii, null, 'unclassified');
    assert.equal(doc.lastProbeAt, null);
    assert.ok(doc.rows.every((r) => r.lastResult === null));
    assert.match(doc.notes.join('\n'), /No probe run/);
  });

  it("uses the last run's route, pin and result; other rows follow the daemon's route rules; no secret anywhere", () => {
    const probe = lastProbe([
      // The probe was given the URL without :443; the allowlist row spells it out: the same target.
      result('https://api.corp.test/', { name: 'model inference' }),
      result('https://hooks.corp.test:8443/', { ok: false, layer: 'proxy-auth', error: { code: 'PROXY_407', message: '407' }, via: 'proxy', route: { proxy: `http://ops:[redacted]@proxy.corp.test:3128`, rule: 'HTTPS_PROXY' }, http: null }),
    ], { 'https://api.corp.test/': '127.0.0.1' });
    const doc = buildAllowlistExport(inputs(probe));
    const [api, hooks, anthropic] = doc.rows;
    assert.match(api!.command, /--noproxy '\*' --resolve api\.corp\.test:443:127\.0\.0\.1 https:\/\/api\.corp\.test\/$/);
    assert.deepEqual(api!.lastResult, { at: '2026-11-21T10:00:00.000Z', ok: true, layer: null, errorCode: null, status: 200, via: 'direct', totalMs: 12 });
    assert.match(hooks!.command, /--proxy http:\/\/proxy\.corp\.test:3128 --proxy-user "ops:\$PROXY_PASSWORD"/);
    assert.equal(hooks!.lastResult?.layer, 'proxy-auth');
    assert.match(anthropic!.command, /--proxy http:\/\/proxy\.corp\.test:3128/, 'not probed: routed as the daemon would');
    assert.match(api!.command, /--cacert \/Users\/ops\/corp-ca\.pem/);
    const outputs = [JSON.stringify(doc), allowlistCsv(doc), allowlistMarkdown(doc, 'mini-hk-1')];
    for (const out of outputs) assert.ok(!out.includes(PASSWORD));
  });

  it('CSV: RFC 4180 quoting, CRLF, one record per row; Markdown escapes pipes and keeps commands in sh blocks', () => {
    const doc = buildAllowlistExport(inputs(null));
    const csv = allowlistCsv(doc);
    const records = csv.split('\r\n');
    assert.equal(records.at(-1), '');
    assert.equal(records.length, doc.rows.length + 2);
    assert.ok(records[0]!.startsWith('dns_name,port,tls,expected_sni,owning_team,rotation_contact,pii,'));
    assert.match(records[2]!, /,"alerts, ""pager"" \| ops",/);
    assert.equal(csvField('a\nb'), '"a\nb"');
    const md = allowlistMarkdown(doc, 'mini-hk-1');
    assert.match(md, /\| alerts, "pager" \\\| ops \|/);
    assert.equal(md.match(/^```sh$/gm)?.length, doc.rows.length);
  });
});
