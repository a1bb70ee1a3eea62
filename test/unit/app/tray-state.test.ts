import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLatency, trayAppearance, trayTitle } from '../../../main/app/tray-state.ts';
import { agentState, health } from './fixtures.ts';

describe('tray appearance from agent states', () => {
  it('picks the icon from the overall state: templates for ok/unknown, coloured variants for warn/critical', () => {
    assert.equal(trayAppearance(agentState('ok')).icon, 'tray-okTemplate');
    assert.equal(trayAppearance(agentState('unknown')).icon, 'tray-unknownTemplate');
    assert.equal(trayAppearance(agentState('warn')).icon, 'tray-warn');
    assert.equal(trayAppearance(agentState('critical')).icon, 'tray-critical');
  });

  it('follows overall (the worst line) even when the gateway itself is fine', () => {
    const state = agentState('critical', { gateway: health('ok', 3.2) });
    state.lines.gateway = { state: 'ok', text: 'Gateway ok · 3.2 ms' };
    const look = trayAppearance(state);
    assert.equal(look.icon, 'tray-critical');
    assert.equal(look.title, '3.2 ms', 'the title still shows the latency');
  });

  it('titles with the latency, "down", or nothing before the first answer', () => {
    assert.equal(trayTitle(null), '');
    assert.equal(trayTitle(health('unknown', null)), '');
    assert.equal(trayTitle(health('ok', 12.4)), '12 ms');
    assert.equal(trayTitle(health('degraded', 912)), '912 ms');
    assert.equal(trayTitle(health('down', null)), 'down');
    assert.equal(trayTitle(health('ok', null)), '');
    assert.equal(formatLatency(1.44), '1.4 ms');
    assert.equal(formatLatency(9.96), '10.0 ms');
    assert.equal(formatLatency(10), '10 ms');
  });

  it('lists every status line in the tooltip and says when checks are paused', () => {
    const look = trayAppearance(agentState('warn', { paused: true }));
    const lines = look.tooltip.split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[0]!, /warning.*paused/);
    assert.ok(lines.includes('Egress: 5/5 ok'));
    assert.doesNotMatch(trayAppearance(agentState('ok')).tooltip, /paused/);
  });
});
