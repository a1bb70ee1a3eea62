import { STALE_SETTINGS, type NotifierEdit, type NotifierView, type RuleView, type SettingsEditShape, type SettingsView } from './contract/settings.ts';
import { PAGE_CHECKS, ruleFor, type PageCheck } from './paging/rules.ts';
import { Settings, type Notifier, type PagingSettings } from './settings-schema.ts';
import { REDACTED } from './system/redact.ts';

/**
 * The settings as the popover edits them (the schemas: main/contract/settings.ts).
 * Paging URLs, header values and Alertmanager credentials are secrets: the
 * renderer is shown where a notifier goes and whether a credential is set,
 * never the value, and an edit names only the secrets the operator typed
 * anew. Whatever an edit leaves out is kept from the stored settings, so a
 * redacted value shown in the form can never be written back over the real one.
 */

/** The settings file as read just now: its settings and its revision (main/store/settings-file.ts). */
export interface StoredSettings { settings: Settings; revision: string }

/** Scheme and host of a secret URL: enough to recognise it, nothing of the path or query that makes it a password. */
export function urlHint(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' && !parsed.search ? '/' : '/…'}`;
  } catch {
    return '…';
  }
}

function notifierView(notifier: Notifier): NotifierView {
  const base = { kind: notifier.kind, ...(notifier.name ? { name: notifier.name } : {}), headerNames: [] as string[], hasPassword: false, hasBearerToken: false };
  switch (notifier.kind) {
    case 'webhook': return { ...base, urlHint: urlHint(notifier.url), headerNames: Object.keys(notifier.headers ?? {}) };
    case 'slack': return { ...base, urlHint: urlHint(notifier.url) };
    case 'alertmanager': return {
      ...base, urlHint: notifier.url, hasPassword: !!notifier.password, hasBearerToken: !!notifier.bearerToken,
      ...(notifier.username !== undefined ? { username: notifier.username } : {}), ...(notifier.labels ? { labels: notifier.labels } : {}),
      ...(notifier.repostIntervalSec !== undefined ? { repostIntervalSec: notifier.repostIntervalSec } : {}),
    };
  }
}

function inheritedRules(paging: PagingSettings): SettingsView['paging']['inherited'] {
  const view = (check: PageCheck): RuleView => {
    const rule = ruleFor(check, { ...paging, checks: {} });
    return {
      enabled: rule.enabled, failureThreshold: rule.failureThreshold, failureWindowSec: rule.failureWindowMs === null ? null : rule.failureWindowMs / 1000,
      successThreshold: rule.successThreshold, reminderIntervalSec: rule.reminderMs / 1000, sendResolved: rule.sendResolved,
    };
  };
  return Object.fromEntries(PAGE_CHECKS.map((check) => [check, view(check)])) as SettingsView['paging']['inherited'];
}

/** What `settings:get` answers for the file as read (the handler passes it through the redactor too, like every response). */
export function settingsView({ settings, revision }: StoredSettings): SettingsView {
  const { paging, ...rest } = settings;
  const { notifiers, heartbeatUrl, ...pagingRest } = paging;
  return {
    ...rest, revision,
    paging: { ...pagingRest, notifiers: notifiers.map(notifierView), heartbeatHint: heartbeatUrl ? urlHint(heartbeatUrl) : null, inherited: inheritedRules(paging) },
  };
}

/** A settings edit the stored settings cannot take; its message is for the operator (never echoing a secret). */
export class SettingsEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsEditError';
  }
}

const LABELS: Record<string, string> = {
  url: 'URL', heartbeatUrl: 'heartbeat URL', name: 'name', repostIntervalSec: 're-post interval', confirmAfterSec: 'confirmation delay', node: 'node name',
  failureThreshold: 'failures before paging', failureWindowSec: 'failure window', successThreshold: 'successes before resolving', reminderIntervalSec: 'reminder interval',
};

/** `paging.notifiers.1.url` → `notifier 2 URL`; other paths keep their keys, friendlier where a label exists. */
function where(path: PropertyKey[]): string {
  const parts = path.map(String);
  if (parts[0] === 'paging' && parts[1] === 'notifiers' && parts[2] !== undefined) return `notifier ${Number(parts[2]) + 1} ${LABELS[parts[3] ?? ''] ?? parts.slice(3).join('.')}`.trim();
  if (parts[0] === 'paging' && parts[1] === 'checks') return `${parts[2]} rule: ${LABELS[parts[3] ?? ''] ?? parts.slice(3).join('.')}`;
  const last = parts.at(-1) ?? '';
  return LABELS[last] ?? parts.join('.');
}

function holdsRedacted(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(REDACTED);
  if (Array.isArray(value)) return value.some(holdsRedacted);
  if (value && typeof value === 'object') return Object.values(value).some(holdsRedacted);
  return false;
}

const defined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

/** scheme://host:port of an http(s) URL; null for anything else, which the schema then refuses as a URL. */
function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return /^https?:$/.test(parsed.protocol) ? parsed.origin : null;
  } catch {
    return null;
  }
}

/**
 * One row of an edit against the stored list. A kept notifier keeps its
 * kind (a webhook URL is a secret; it must not become an Alertmanager URL),
 * and its stored secrets — webhook header values, an Alertmanager password
 * or bearer token — only while its URL keeps the origin they were given
 * for: a row that points the notifier at another host must type them again,
 * or a test page would hand them to that host.
 */
function resolveNotifier(row: NotifierEdit, position: number, stored: Notifier[], claimed: Map<number, number>): Record<string, unknown> {
  const at = `notifier ${position + 1}`;
  const base = row.from === undefined ? undefined : stored[row.from];
  if (row.from !== undefined && !base) throw new SettingsEditError(`${at}: the notifier it edits is no longer stored; reload the settings`);
  if (row.from !== undefined) {
    const other = claimed.get(row.from);
    if (other !== undefined) throw new SettingsEditError(`${at} edits the same stored notifier as notifier ${other + 1}; reload the settings`);
    claimed.set(row.from, position);
  }
  if (base && base.kind !== row.kind) throw new SettingsEditError(`${at}: a stored ${base.kind} notifier cannot become ${article(row.kind)} ${row.kind} one; remove it and add a new ${row.kind} notifier`);
  const typed = row.url?.trim() || undefined;
  const url = typed ?? base?.url;
  if (!url) throw new SettingsEditError(`${at} URL: enter where its pages go`);
  const newOrigin = typed === undefined ? null : originOf(typed);
  const moved = base !== undefined && newOrigin !== null && newOrigin !== originOf(base.url);
  const common = { kind: row.kind, name: row.name?.trim() || undefined, url };
  if (row.kind === 'webhook') {
    const headers = base?.kind === 'webhook' ? base.headers : undefined;
    if (moved && headers && Object.keys(headers).length > 0) {
      throw new SettingsEditError(`${at}: its header values (${Object.keys(headers).join(', ')}) were given for ${originOf(base.url)} and are not sent to ${newOrigin}; keep that host, or remove this notifier, add one for the new host and set its headers in the settings file`);
    }
    return defined({ ...common, headers });
  }
  if (row.kind === 'slack') return defined(common);
  const old = base?.kind === 'alertmanager' ? base : undefined;
  const untyped = [old?.password && row.password === undefined ? 'password' : null, old?.bearerToken && row.bearerToken === undefined ? 'bearer token' : null].filter(Boolean);
  if (moved && untyped.length > 0) {
    throw new SettingsEditError(`${at}: its ${untyped.join(' and ')} ${untyped.length > 1 ? 'were' : 'was'} given for ${originOf(old!.url)} and ${untyped.length > 1 ? 'are' : 'is'} not sent to ${newOrigin}; type ${untyped.length > 1 ? 'them' : 'it'} again for the new URL, or remove ${untyped.length > 1 ? 'them' : 'it'}`);
  }
  const secret = (typed: string | undefined, kept: string | undefined) => (typed === undefined ? kept : typed || undefined);
  return defined({
    ...common, username: row.username || undefined, password: secret(row.password, old?.password), bearerToken: secret(row.bearerToken, old?.bearerToken),
    labels: old?.labels, repostIntervalSec: row.repostIntervalSec,
  });
}

/** The edit's list against the stored one; each stored notifier is kept by one row at most. */
function resolveNotifiers(rows: NotifierEdit[], stored: Notifier[]): Array<Record<string, unknown>> {
  const claimed = new Map<number, number>();
  return rows.map((row, i) => resolveNotifier(row, i, stored, claimed));
}

/**
 * The settings file as it is now with an edit applied, validated whole by
 * the Settings schema; throws SettingsEditError (and the caller writes
 * nothing) when the edit was made from another revision of the file (an
 * editor or the watcher changed it since: its form would overwrite those
 * changes, and keep secrets by places in a list that moved), when the
 * result is invalid, or when the edit holds a redacted value.
 */
export function applySettingsEdit(current: StoredSettings, edit: SettingsEditShape): Settings {
  const { paging, revision, ...rest } = edit;
  if (revision !== current.revision) throw new SettingsEditError(`${STALE_SETTINGS}; reload it and edit again`);
  if (holdsRedacted(edit)) throw new SettingsEditError(`a redacted value cannot be saved: type the real value, or leave the field empty to keep the stored one`);
  const stored = current.settings;
  let nextPaging: unknown = stored.paging;
  if (paging) {
    const { notifiers, heartbeatUrl, ...plain } = paging;
    nextPaging = {
      ...stored.paging, ...defined(plain),
      notifiers: notifiers ? resolveNotifiers(notifiers, stored.paging.notifiers) : stored.paging.notifiers,
      heartbeatUrl: heartbeatUrl === undefined ? stored.paging.heartbeatUrl : heartbeatUrl === null ? null : heartbeatUrl.trim() || stored.paging.heartbeatUrl,
    };
  }
  const parsed = Settings.safeParse({ ...stored, ...defined(rest), paging: nextPaging });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SettingsEditError(`${where(issue.path)}: ${issue.message}`);
  }
  return parsed.data;
}
