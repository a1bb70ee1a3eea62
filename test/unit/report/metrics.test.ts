import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_TARGET_LABELS, renderMetrics, targetLabels } from '../../../main/report/metrics.ts';
import { promtool } from '../../helpers/promtool.ts';
import { lastProbe, result, status } from './samples.ts';

const NOW = new Date('2026-11-21T10:05:00.000Z');
const sample = (text: string, name: string) => text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

describe('metrics exposition', () => {
  it('passes promtool check metrics with a status and a probe run, gauges only, no timestamps, ending in # EOF', async () => {
    const run = lastProbe([
      result('https://api.corp.test:8443/', { name: 'model inference' }),
      result('https://hooks.corp.test/', { name: null, ok: false, layer: 'tls-trust', error: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify' }, via: 'proxy', phases: { dnsMs: null, connectMs: 1, proxyConnectMs: 4, tlsMs: null, ttfbMs: null, totalMs: 9 } }),
    ]);
    const text = renderMetrics({ status: status(), lastProbe: run, version: '0.1.0', now: NOW });
    const check = await promtool(['check', 'metrics'], text);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.equal(check.stdout + check.stderr, '');
    assert.ok(text.endsWith('# EOF\n'));
    assert.ok(text.split('\n').filter((l) => l.startsWith('# TYPE')).every((l) => l.endsWith(' gauge')));
    assert.ok(text.split('\n').filter((l) => l && !l.startsWith('#')).every((l) => /^[a-z_0-9]+(\{.*\})? -?[\d.e+-]+$/.test(l)), 'one value per sample, no timestamp');
    assert.deepEqual(sample(text, 'clawbar_gateway_up'), ['clawbar_gateway_up 1']);
    assert.ok(text.includes('clawbar_gateway_health_state{state="ok"} 1'));
    assert.ok(text.includes('clawbar_gateway_latency_seconds 0.002'));
    assert.ok(text.includes('clawbar_listeners{exposure="wildcard"} 2'));
    assert.ok(text.includes('clawbar_listener_changes{change="new"} 1'));
    assert.ok(text.includes('clawbar_clock_offset_seconds 0.0125'));
    assert.ok(text.includes('clawbar_probe_success{target="model inference",kind="allowlist",layer="none"} 1'));
    assert.ok(text.includes('clawbar_probe_success{target="hooks.corp.test:443",kind="allowlist",layer="tls-trust"} 0'));
    assert.ok(text.includes('clawbar_probe_phase_seconds{target="hooks.corp.test:443",phase="proxy_connect"} 0.004'));
    assert.ok(text.includes('clawbar_probe_failed_targets{layer="tls-trust"} 1'));
    assert.ok(text.includes('clawbar_findings{severity="critical"} 1'));
    assert.ok(text.includes(`clawbar_last_run_timestamp_seconds{check="probe"} ${Date.parse('2026-11-21T10:00:00.000Z') / 1000}`));
    assert.ok(text.includes(`clawbar_last_run_timestamp_seconds{check="status"} ${NOW.getTime() / 1000}`));
  });

  it('without a probe run: no probe families, still valid', async () => {
    const text = renderMetrics({ status: status({ clock: { ...status().clock, state: 'unknown', offsetMs: null } }), lastProbe: null, version: '0.1.0', now: NOW });
    assert.equal((await promtool(['check', 'metrics'], text)).code, 0);
    assert.ok(!text.includes('clawbar_probe_'));
    assert.ok(!text.includes('clawbar_clock_offset_seconds'));
    assert.ok(text.includes('clawbar_clock_state{state="unknown"} 1'));
    assert.ok(!text.includes('check="probe"'));
  });

  it('flags the gateway port beyond loopback', () => {
    const base = status();
    const exposed = status({ listeners: { ...base.listeners, items: [...base.listeners.items, { ...base.listeners.items[0]!, address: '*', exposure: 'wildcard', severity: 'critical' }] } });
    assert.ok(renderMetrics({ status: exposed, lastProbe: null, version: '0.1.0' }).includes('clawbar_gateway_exposed 1'));
    assert.ok(renderMetrics({ status: base, lastProbe: null, version: '0.1.0' }).includes('clawbar_gateway_exposed 0'));
  });

  it('bounds target cardinality: 50 named targets, the rest folded into "other"', async () => {
    const results = Array.from({ length: 70 }, (_, i) => result(`https://h${i}.corp.test/`, i === 65 ? { ok: false, layer: 'dns' } : {}));
    const text = renderMetrics({ status: status(), lastProbe: lastProbe(results), version: '0.1.0' });
    assert.equal((await promtool(['check', 'metrics'], text)).code, 0);
    const success = sample(text, 'clawbar_probe_success');
    assert.equal(success.length, MAX_TARGET_LABELS + 1);
    assert.ok(success.includes('clawbar_probe_success{target="other",kind="other",layer="dns"} 0'));
    assert.ok(text.includes('clawbar_probe_failed_targets{layer="dns"} 1'), 'counts still include folded targets');
  });

  it('labels are names or host:port, never URLs, paths, queries or credentials; duplicates made unique; values escaped', async () => {
    const results = [
      result('https://user:s3cret@api.corp.test:8443/v1/chat?key=abc', { name: null, kind: 'custom' }),
      result('https://a.corp.test/', { name: 'inference' }),
      result('https://b.corp.test/', { name: 'inference' }),
      result('https://c.corp.test/', { name: 'see https://x.test/?q=1' }),
      result('https://d.corp.test/', { name: 'quote " back\\slash\nnewline' }),
    ];
    const labels = targetLabels(results);
    assert.deepEqual(labels.slice(0, 4), ['api.corp.test:8443', 'inference', 'inference (b.corp.test:443)', 'c.corp.test:443']);
    const text = renderMetrics({ status: status(), lastProbe: lastProbe(results), version: '0.1.0' });
    assert.ok(!text.includes('s3cret') && !text.includes('/v1/chat') && !text.includes('key=abc'));
    assert.ok(text.includes('target="quote \\" back\\\\slash newline"'));
    assert.equal((await promtool(['check', 'metrics'], text)).code, 0);
  });
});
