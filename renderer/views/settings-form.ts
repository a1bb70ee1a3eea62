import type { NotifierEdit, RuleView, SettingsEdit, SettingsView } from '../types.ts';

/**
 * The settings form's state, checks and the edit it sends, as pure functions
 * (tested in plain Node). A secret field holds only what the operator typed:
 * it starts empty, with the stored value's hint beside it, and an empty field
 * is left out of the edit — main then keeps the stored secret.
 */

/** The settings schema's PAGE_CHECKS, which the renderer cannot import without bundling zod; a unit test holds the two together. */
export const CHECKS = ['gateway', 'exposure', 'clock', 'egress', 'fixReverted'] as const;
export type PageCheck = (typeof CHECKS)[number];
export const CHECK_LABEL: Record<PageCheck, string> = { gateway: 'Gateway down', exposure: 'Exposure', clock: 'Clock', egress: 'Egress', fixReverted: 'Fix undone' };

/**
 * The settings schema's ranges (main/settings-schema.ts), which the renderer
 * cannot import without bundling zod; a unit test holds the two together.
 */
export const LIMITS = {
  healthIntervalSec: [5, 3600], listenerIntervalSec: [30, 86_400], clockIntervalSec: [30, 86_400], probeIntervalSec: [60, 86_400],
  metricsPort: [1024, 65_535], confirmAfterSec: [5, 600], failureThreshold: [1, 20], successThreshold: [1, 20],
  reminderIntervalSec: [0, 7 * 86_400], repostIntervalSec: [10, 3600],
} as const satisfies Record<string, readonly [number, number]>;
export type Limited = keyof typeof LIMITS;

export const INTERVALS = [
  ['healthIntervalSec', 'Gateway health'], ['listenerIntervalSec', 'Listeners'], ['clockIntervalSec', 'Clock'], ['probeIntervalSec', 'Egress probes'],
] as const;
type Interval = (typeof INTERVALS)[number][0];

export interface NotifierRow {
  /** Stable within the form, for keys and field ids. */
  key: string;
  /** The stored notifier this row edits (its place in the loaded list); null for a new one. */
  from: number | null;
  kind: 'webhook' | 'slack' | 'alertmanager';
  name: string;
  /** Typed anew; empty keeps the stored URL. */
  url: string;
  urlHint: string | null;
  headerNames: string[];
  username: string;
  password: string;
  passwordSet: boolean;
  removePassword: boolean;
  bearerToken: string;
  tokenSet: boolean;
  removeToken: boolean;
  repostIntervalSec: string;
}

export interface CheckRow { enabled: boolean; sendResolved: boolean; failureThreshold: string; successThreshold: string; reminderIntervalSec: string }

export interface SettingsForm {
  intervals: Record<Interval, string>;
  ntpServer: string;
  metricsPort: string;
  launchAtLogin: boolean;
  node: string;
  notifiers: NotifierRow[];
  heartbeatUrl: string;
  heartbeatHint: string | null;
  removeHeartbeat: boolean;
  confirmAfterSec: string;
  checks: Record<PageCheck, CheckRow>;
}

const text = (value: number | null | undefined) => (value === null || value === undefined ? '' : String(value));
let rowKeys = 0;

export function newNotifier(kind: NotifierRow['kind']): NotifierRow {
  return {
    key: `n${++rowKeys}`, from: null, kind, name: '', url: '', urlHint: null, headerNames: [], username: '', password: '', passwordSet: false, removePassword: false,
    bearerToken: '', tokenSet: false, removeToken: false, repostIntervalSec: '',
  };
}

/** The form as the stored settings fill it: clear values shown, secrets as hints only. */
export function formFromView(view: SettingsView): SettingsForm {
  const paging = view.paging;
  return {
    intervals: { healthIntervalSec: text(view.healthIntervalSec), listenerIntervalSec: text(view.listenerIntervalSec), clockIntervalSec: text(view.clockIntervalSec), probeIntervalSec: text(view.probeIntervalSec) },
    ntpServer: view.ntpServer, metricsPort: text(view.metricsPort), launchAtLogin: view.launchAtLogin,
    node: paging.node,
    notifiers: paging.notifiers.map((n, i) => ({
      ...newNotifier(n.kind), from: i, name: n.name ?? '', urlHint: n.urlHint, headerNames: n.headerNames, username: n.username ?? '',
      passwordSet: n.hasPassword, tokenSet: n.hasBearerToken, repostIntervalSec: text(n.repostIntervalSec),
    })),
    heartbeatUrl: '', heartbeatHint: paging.heartbeatHint, removeHeartbeat: false,
    confirmAfterSec: text(paging.confirmAfterSec),
    checks: Object.fromEntries(CHECKS.map((check) => {
      const own = paging.checks[check] ?? {};
      const inherited = paging.inherited[check];
      return [check, {
        enabled: own.enabled ?? inherited.enabled, sendResolved: own.sendResolved ?? inherited.sendResolved,
        failureThreshold: text(own.failureThreshold), successThreshold: text(own.successThreshold), reminderIntervalSec: text(own.reminderIntervalSec),
      }];
    })) as Record<PageCheck, CheckRow>,
  };
}

/** Field ids: where an error is shown and which input it describes. */
export const fieldId = {
  interval: (key: Interval) => `set-${key}`,
  notifier: (row: NotifierRow, field: string) => `set-${row.key}-${field}`,
  check: (check: PageCheck, field: string) => `set-${check}-${field}`,
};

export type Errors = Record<string, string>;

/** How main's refusal of a form older than the settings file begins (main/contract/settings.ts; a unit test holds the two equal). */
export const STALE_SETTINGS = 'the settings file changed since this form was loaded';
/** Whether a failure is that refusal: the form offers to reload rather than to try again. */
export const isStale = (message: string) => message.includes(STALE_SETTINGS);

const REDACTED = '[redacted]';
const wholeNumber = (value: string) => /^\d+$/.test(value.trim());

function checkNumber(errors: Errors, id: string, value: string, limit: Limited, optional: boolean): void {
  const [min, max] = LIMITS[limit];
  if (value.trim() === '') {
    if (!optional) errors[id] = `Enter a whole number from ${min} to ${max}`;
    return;
  }
  const n = Number(value);
  if (!wholeNumber(value) || n < min || n > max) errors[id] = `Enter a whole number from ${min} to ${max}`;
}

/** The message for a URL field, or null when it is fine (empty is fine: it keeps the stored one, or was checked as required). */
export function urlProblem(value: string, kind: 'webhook' | 'slack' | 'alertmanager' | 'heartbeat'): string | null {
  const url = value.trim();
  if (url === '') return null;
  if (url.includes(REDACTED)) return 'A redacted value cannot be saved: type the real URL, or leave the field empty to keep the stored one';
  let parsed: URL;
  try { parsed = new URL(url); } catch { parsed = null as never; }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !/^https?:\/\//i.test(url)) {
    return kind === 'alertmanager' ? "Enter Alertmanager's base URL with http:// or https://, e.g. http://alertmanager.example:9093" : 'Enter an http:// or https:// URL';
  }
  if (kind === 'alertmanager' && /\/api\/v[12]\/alerts\/?$/.test(parsed.pathname)) return "Enter Alertmanager's base URL: /api/v2/alerts is added when pages are sent";
  return null;
}

/** scheme://host:port of a URL, or of a stored URL's hint (`https://host/…`); null when there is none. */
function originOf(url: string | null): string | null {
  try { return url ? new URL(url.replace(/…$/, '')).origin : null; } catch { return null; }
}

/** Stored secrets stay with the host they were given for (main refuses to keep them for another): a row sent elsewhere must type them again. */
function movedSecrets(errors: Errors, row: NotifierRow): void {
  const from = originOf(row.urlHint);
  const to = originOf(row.url.trim());
  if (row.from === null || !from || !to || from === to) return;
  if (row.kind === 'webhook' && row.headerNames.length > 0) errors[fieldId.notifier(row, 'url')] = `Its headers stay with ${from}: keep that host, or add a new notifier for this one`;
  if (row.kind !== 'alertmanager') return;
  if (row.passwordSet && !row.password && !row.removePassword) errors[fieldId.notifier(row, 'password')] = `Type it again for the new host, or remove it: it was given for ${from}`;
  if (row.tokenSet && !row.bearerToken && !row.removeToken) errors[fieldId.notifier(row, 'token')] = `Type it again for the new host, or remove it: it was given for ${from}`;
}

/** Every problem the form can see before main does, by field id. */
export function validate(form: SettingsForm): Errors {
  const errors: Errors = {};
  for (const [key] of INTERVALS) checkNumber(errors, fieldId.interval(key), form.intervals[key], key, false);
  if (!/^$|^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+)(:\d{1,5})?$/.test(form.ntpServer.trim())) errors['set-ntpServer'] = 'Enter HOST, HOST:PORT or [v6]:PORT, or leave it empty for the Mac\'s own';
  checkNumber(errors, 'set-metricsPort', form.metricsPort, 'metricsPort', true);
  if (form.node.length > 128) errors['set-node'] = 'At most 128 characters';
  checkNumber(errors, 'set-confirmAfterSec', form.confirmAfterSec, 'confirmAfterSec', false);
  const heartbeat = urlProblem(form.heartbeatUrl, 'heartbeat');
  if (heartbeat) errors['set-heartbeat'] = heartbeat;
  for (const row of form.notifiers) {
    const url = row.from === null && row.url.trim() === '' ? 'Enter where its pages go' : urlProblem(row.url, row.kind);
    if (url) errors[fieldId.notifier(row, 'url')] = url;
    else movedSecrets(errors, row);
    if (row.name.trim() && !/^[\w .:-]{1,64}$/.test(row.name.trim())) errors[fieldId.notifier(row, 'name')] = 'Letters, digits, space, dot, colon, dash, underscore; at most 64';
    if (row.kind === 'alertmanager') {
      checkNumber(errors, fieldId.notifier(row, 'repost'), row.repostIntervalSec, 'repostIntervalSec', true);
      for (const [field, value] of [['password', row.password], ['token', row.bearerToken], ['username', row.username]] as const) {
        if (value.includes(REDACTED)) errors[fieldId.notifier(row, field)] = 'A redacted value cannot be saved: type the real one, or leave it empty to keep the stored one';
      }
    }
  }
  if (form.notifiers.length > 10) errors['set-notifiers'] = 'At most 10 notifiers';
  for (const check of CHECKS) {
    const row = form.checks[check];
    checkNumber(errors, fieldId.check(check, 'failures'), row.failureThreshold, 'failureThreshold', true);
    checkNumber(errors, fieldId.check(check, 'successes'), row.successThreshold, 'successThreshold', true);
    checkNumber(errors, fieldId.check(check, 'reminder'), row.reminderIntervalSec, 'reminderIntervalSec', true);
  }
  return errors;
}

const num = (value: string) => (value.trim() === '' ? undefined : Number(value));

function notifierEdit(row: NotifierRow): NotifierEdit {
  const typed = (value: string, remove: boolean) => (remove ? '' : value === '' ? undefined : value);
  const edit: NotifierEdit = { kind: row.kind, ...(row.from !== null ? { from: row.from } : {}), ...(row.name.trim() ? { name: row.name.trim() } : {}), ...(row.url.trim() ? { url: row.url.trim() } : {}) };
  if (row.kind !== 'alertmanager') return edit;
  const password = typed(row.password, row.removePassword);
  const bearerToken = typed(row.bearerToken, row.removeToken);
  return {
    ...edit, ...(row.username ? { username: row.username } : {}), ...(password !== undefined ? { password } : {}), ...(bearerToken !== undefined ? { bearerToken } : {}),
    ...(num(row.repostIntervalSec) !== undefined ? { repostIntervalSec: num(row.repostIntervalSec) } : {}),
  };
}

/** One check's override: what differs from the inherited rule, plus what was stored and is still shown (a failure window the form does not edit is kept). */
function checkEdit(row: CheckRow, inherited: RuleView, stored: SettingsView['paging']['checks'][PageCheck]) {
  const own = { ...stored };
  const flag = (key: 'enabled' | 'sendResolved', value: boolean) => { if (value !== inherited[key] || own[key] !== undefined) own[key] = value; };
  flag('enabled', row.enabled);
  flag('sendResolved', row.sendResolved);
  for (const [key, value] of [['failureThreshold', row.failureThreshold], ['successThreshold', row.successThreshold], ['reminderIntervalSec', row.reminderIntervalSec]] as const) {
    const n = num(value);
    if (n === undefined) delete own[key];
    else own[key] = n;
  }
  return own;
}

/** The edit for `settings:set`: every clear value as shown, secrets only where typed, and the revision the form was loaded from. */
export function editFromForm(form: SettingsForm, view: SettingsView): SettingsEdit {
  const heartbeatUrl = form.removeHeartbeat ? null : form.heartbeatUrl.trim() === '' ? undefined : form.heartbeatUrl.trim();
  return {
    revision: view.revision,
    healthIntervalSec: Number(form.intervals.healthIntervalSec), listenerIntervalSec: Number(form.intervals.listenerIntervalSec),
    clockIntervalSec: Number(form.intervals.clockIntervalSec), probeIntervalSec: Number(form.intervals.probeIntervalSec),
    ntpServer: form.ntpServer.trim(), metricsPort: num(form.metricsPort) ?? null, launchAtLogin: form.launchAtLogin,
    paging: {
      node: form.node.trim(), notifiers: form.notifiers.map(notifierEdit), confirmAfterSec: Number(form.confirmAfterSec),
      ...(heartbeatUrl !== undefined ? { heartbeatUrl } : {}),
      checks: Object.fromEntries(CHECKS.map((check) => [check, checkEdit(form.checks[check], view.paging.inherited[check], view.paging.checks[check])] as const)
        .filter(([, own]) => Object.keys(own).length > 0)),
    },
  };
}
