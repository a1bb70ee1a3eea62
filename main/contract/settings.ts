import { z } from 'zod';
import { DebounceSettings, perCheck, PagingSettings, Settings } from '../settings-schema.ts';

/**
 * The settings as the popover sees and edits them over IPC. Paging URLs,
 * header values and Alertmanager credentials are secrets: the view says
 * where a notifier goes and whether a credential is set, never the value,
 * and an edit names only the secrets the operator typed anew (main keeps
 * the others: main/settings-edit.ts).
 */

const NotifierKind = z.enum(['webhook', 'slack', 'alertmanager']);

/** One notifier as the renderer sees it. */
export const NotifierView = z.object({
  kind: NotifierKind,
  name: z.string().optional(),
  /** Where pages go, the secret part left out: `https://hooks.slack.com/…`; an Alertmanager base URL in full (user info redacted at the exit). */
  urlHint: z.string(),
  /** A webhook's extra header names; their values are secrets, kept as they are. */
  headerNames: z.array(z.string()),
  username: z.string().optional(),
  hasPassword: z.boolean(),
  hasBearerToken: z.boolean(),
  labels: z.record(z.string(), z.string()).optional(),
  repostIntervalSec: z.number().int().optional(),
});
export type NotifierView = z.infer<typeof NotifierView>;

/** A check's debounce rule with nothing left out, in the settings' units. */
export const RuleView = z.object({
  enabled: z.boolean(), failureThreshold: z.number(), failureWindowSec: z.number().nullable(), successThreshold: z.number(), reminderIntervalSec: z.number(), sendResolved: z.boolean(),
});
export type RuleView = z.infer<typeof RuleView>;

export const PagingView = PagingSettings.omit({ notifiers: true, heartbeatUrl: true }).extend({
  notifiers: z.array(NotifierView),
  /** The heartbeat URL's hint, or null when no heartbeat is set. */
  heartbeatHint: z.string().nullable(),
  /** Each check's rule without its own override (built-in, then `defaults`): what an empty field means. */
  inherited: perCheck(RuleView),
});

/** Names one content of the settings file (a keyed hash of its bytes, main/store/settings-file.ts). */
export const Revision = z.string().regex(/^[\w-]{1,64}$/);

/** Begins the refusal of an edit or a test page made from a form older than the settings file; the popover offers to reload on it. */
export const STALE_SETTINGS = 'the settings file changed since this form was loaded';

/** `settings:get`: every setting, paging without its secrets, and the revision of the file they were read from. */
export const SettingsView = Settings.omit({ paging: true }).extend({
  paging: PagingView,
  /** Changes whenever the settings file does: every edit names it, and is refused once the file has changed. */
  revision: Revision,
});
export type SettingsView = z.infer<typeof SettingsView>;

/**
 * One notifier of an edit. Fields the form shows in the clear (name,
 * username, re-post interval) are given as they should be; secrets and what
 * the form does not show (URL, password, bearer token, headers, labels) are
 * kept from the stored notifier `from` when left out. An empty password or
 * token removes it.
 */
export const NotifierEdit = z.object({
  /** The stored notifier this row edits: its place in the list of the revision the edit names. Absent for a new notifier. */
  from: z.number().int().min(0).max(9).optional(),
  kind: NotifierKind,
  name: z.string().max(64).optional(),
  url: z.string().max(2048).optional(),
  username: z.string().max(256).optional(),
  password: z.string().max(1024).optional(),
  bearerToken: z.string().max(4096).optional(),
  repostIntervalSec: z.number().int().optional(),
}).strict();
export type NotifierEdit = z.infer<typeof NotifierEdit>;

export const PagingEdit = z.object({
  node: z.string().max(128).optional(),
  /** The whole new list, in order; a notifier left out is removed. */
  notifiers: z.array(NotifierEdit).max(10).optional(),
  /** A new heartbeat URL, or null to turn it off; left out, the stored one is kept. */
  heartbeatUrl: z.string().max(2048).nullable().optional(),
  defaults: DebounceSettings.optional(),
  checks: perCheck(DebounceSettings).partial().strict().optional(),
  confirmAfterSec: z.number().int().optional(),
}).strict();
export type PagingEdit = z.infer<typeof PagingEdit>;

/**
 * A settings change names only what changed: the schema's defaults are
 * stripped, or validating `{ healthIntervalSec: 30 }` would reset every
 * other setting to its default. Paging is edited with PagingEdit. Every
 * edit names the revision of the file it was made from: a file changed
 * since (an editor, the watcher, another save) refuses it whole.
 */
const patchShape = Object.fromEntries(Object.entries(Settings.shape).filter(([key]) => key !== 'paging')
  .map(([key, field]) => [key, (field as z.ZodDefault<z.ZodType>).unwrap().optional()]));
export const SettingsEdit = z.object({ ...patchShape, paging: PagingEdit.optional(), revision: Revision })
  .strict() as unknown as z.ZodType<SettingsEditShape, SettingsEditShape>;
export type SettingsEditShape = Partial<Omit<Settings, 'paging'>> & { paging?: PagingEdit; revision: string };

/** "Send test page": the stored notifier at `index` of the settings revision the form shows. */
export const TestPageRequest = z.object({ index: z.number().int().min(0).max(9), revision: Revision }).strict();
export const TestPageResult = z.object({
  notifier: z.string(), ok: z.boolean(), status: z.number().nullable(), via: z.enum(['direct', 'proxy']), error: z.string().nullable(), traceId: z.string(),
});
export type TestPageResult = z.infer<typeof TestPageResult>;
