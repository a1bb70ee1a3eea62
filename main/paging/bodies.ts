import { randomUUID } from 'node:crypto';
import type { Notifier } from '../settings-schema.ts';

/** What every notifier is told about one page. */
export interface Page {
  /** `test`: the operator's "Send test page", nothing failing. */
  event: 'firing' | 'reminder' | 'resolved' | 'test';
  node: string;
  check: string;
  /** The failing layer, for egress pages. */
  layer: string | null;
  from: string;
  to: string;
  /** When the check entered `to` (ISO). */
  since: string;
  /** When the failure began (ISO): Alertmanager's startsAt, also on the resolved page. */
  startedAt: string;
  detail: string;
  fix: string | null;
  severity: 'critical' | 'warning';
  traceId: string;
  time: string;
}

export interface Outgoing {
  method: 'POST' | 'GET';
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

/** The generic webhook body, documented in the README as `clawbar.page/1`. */
export function webhookBody(page: Page): object {
  return {
    schema: 'clawbar.page/1', event: page.event, node: page.node, check: page.check, layer: page.layer, from: page.from, to: page.to,
    since: page.since, detail: page.detail, fix: page.fix, severity: page.severity, traceId: page.traceId, time: page.time,
  };
}

const TITLE: Record<Page['event'], string> = { firing: 'FIRING', reminder: 'STILL FIRING', resolved: 'RESOLVED', test: 'TEST' };

/** A Slack-compatible incoming-webhook body: one `text` in mrkdwn, which Slack, Mattermost and Rocket.Chat all read. */
export function slackBody(page: Page): object {
  const what = page.layer ? `${page.check} (${page.layer})` : page.check;
  const lines = [
    `*[${TITLE[page.event]}] ${page.node}: ${what} ${page.from} → ${page.to}* since ${page.since}`,
    page.detail,
    ...(page.fix && page.event !== 'resolved' ? [`Fix: \`${page.fix}\``] : []),
    `trace ${page.traceId}`,
  ];
  return { text: lines.join('\n') };
}

const ALERT_NAME: Record<string, string> = {
  gateway: 'ClawbarGatewayDown', exposure: 'ClawbarGatewayExposed', clock: 'ClawbarClockSkew', egress: 'ClawbarEgressFailing', fixReverted: 'ClawbarFixReverted',
  test: 'ClawbarTestPage',
};

/**
 * One alert for Alertmanager's `POST /api/v2/alerts`. The labels identify the
 * alert (they never carry the changing detail), so a re-post updates the
 * same alert; `endsAt` in the past resolves it; while firing, `endsAt` lies a
 * few re-post intervals ahead, so an alert whose watcher died expires on its
 * own (the heartbeat is what tells that story).
 */
/** Alertmanager forgets an alert that is not re-posted; Prometheus re-sends about every minute too. */
export const repostMs = (notifier: Extract<Notifier, { kind: 'alertmanager' }>) => (notifier.repostIntervalSec ?? 60) * 1000;

export function alertmanagerAlert(page: Page, notifier: Extract<Notifier, { kind: 'alertmanager' }>, now: Date): object {
  const labels: Record<string, string> = {
    ...notifier.labels, alertname: ALERT_NAME[page.check] ?? 'ClawbarCheckFailing', node: page.node, check: page.check, severity: page.severity,
    ...(page.layer ? { layer: page.layer } : {}),
  };
  // A test alert is never re-posted: it expires after one interval on its own.
  const endsAt = page.event === 'resolved' ? now : new Date(now.getTime() + (page.event === 'test' ? 1 : 5) * repostMs(notifier));
  return {
    labels,
    annotations: { summary: `${page.node}: ${page.check}${page.layer ? ` (${page.layer})` : ''} is ${page.to}`, description: page.detail, fix: page.fix ?? '', trace_id: page.traceId, since: page.since },
    startsAt: page.startedAt,
    endsAt: endsAt.toISOString(),
  };
}

/** Basic or bearer credentials for Alertmanager (behind a reverse proxy or with web.config basic auth). */
export function alertmanagerAuth(notifier: Extract<Notifier, { kind: 'alertmanager' }>): Record<string, string> {
  if (notifier.bearerToken) return { authorization: `Bearer ${notifier.bearerToken}` };
  if (notifier.username !== undefined) return { authorization: `Basic ${Buffer.from(`${notifier.username}:${notifier.password ?? ''}`).toString('base64')}` };
  return {};
}

/** The request one notifier gets for one page. */
export function outgoing(page: Page, notifier: Notifier, now: Date): Outgoing {
  const json = { 'content-type': 'application/json', 'user-agent': 'clawbar-pager/0.1' };
  switch (notifier.kind) {
    case 'webhook': return { method: 'POST', url: notifier.url, headers: { ...json, ...notifier.headers }, body: JSON.stringify(webhookBody(page)) };
    case 'slack': return { method: 'POST', url: notifier.url, headers: json, body: JSON.stringify(slackBody(page)) };
    case 'alertmanager': return {
      method: 'POST', url: `${notifier.url.replace(/\/+$/, '')}/api/v2/alerts`, headers: { ...json, ...alertmanagerAuth(notifier) },
      body: JSON.stringify([alertmanagerAlert(page, notifier, now)]),
    };
  }
}

/** The page "Send test page" sends: the documented body, event `test`, check `test`, nothing failing. */
export function testPage(node: string, now: Date): Page {
  const time = now.toISOString();
  return {
    event: 'test', node, check: 'test', layer: null, from: 'ok', to: 'ok', since: time, startedAt: time,
    detail: 'A test page from clawbar: this notifier is reachable. Nothing is failing.', fix: null, severity: 'warning', traceId: randomUUID(), time,
  };
}

/** Every secret the paging settings hold, for the redactor: URLs, header values, credentials and the header they make. */
export function pagingSecrets(notifiers: Notifier[], heartbeatUrl: string | null): string[] {
  const out: string[] = heartbeatUrl ? [heartbeatUrl] : [];
  for (const n of notifiers) {
    if (n.kind !== 'alertmanager') out.push(n.url);
    if (n.kind === 'webhook') out.push(...Object.values(n.headers ?? {}));
    if (n.kind === 'alertmanager') out.push(...[n.password, n.bearerToken].filter((v): v is string => !!v), ...Object.values(alertmanagerAuth(n)).map((v) => v.split(' ')[1]!));
  }
  return out;
}

/** How a notifier is named in logs and status: its name, else its kind and place in the list (never its URL). */
export const notifierName = (notifier: Notifier, index: number) => notifier.name ?? `${notifier.kind}#${index + 1}`;
