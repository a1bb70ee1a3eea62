import { z } from 'zod';

/**
 * What solves a diagnosis: the fix that answers it (with as much of its
 * request as the diagnosis knows), the popover view to open and the command
 * line to type. The code that makes the diagnosis sets it; the CLI, the
 * report and the popover only show it, so they cannot disagree.
 *
 * The fix request lives here rather than in fix.ts because a finding carries
 * a remedy and fix.ts's outcome carries findings: fix.ts builds on this file.
 */

/** The popover's views; a remedy and a notice name where a click leads. */
export const VIEW_NAMES = ['overview', 'probes', 'listeners', 'environment', 'fixes', 'history', 'wizard', 'settings'] as const;
export const ViewName = z.enum(VIEW_NAMES);
export type ViewName = z.infer<typeof ViewName>;

export const FixKind = z.enum(['ca', 'proxy', 'bind', 'clock']);
export type FixKind = z.infer<typeof FixKind>;

export const FixScope = z.enum(['gateway', 'system']);

const CaRequest = z.object({ kind: z.literal('ca'), cert: z.string().min(1), scope: FixScope.optional() });
const ProxyRequest = z.object({ kind: z.literal('proxy'), url: z.string().url(), noProxy: z.string().optional() });
const BindRequest = z.object({ kind: z.literal('bind') });
const ClockRequest = z.object({ kind: z.literal('clock'), server: z.string().optional() });

/**
 * What a fix is asked to do, one field per CLI option. The CLI, IPC and the
 * fix engine all take this. It names no service file: the CLI adds `--plist`
 * and the agent the service it watches, so the renderer can never point a fix
 * at a file of its choosing (unknown keys are stripped).
 */
export const FixRequest = z.discriminatedUnion('kind', [CaRequest, ProxyRequest, BindRequest, ClockRequest]);
export type FixRequest = z.infer<typeof FixRequest>;

/** The fix engine's input: a request and, when the caller knows it, the service whose files it changes. */
export type ServiceFixRequest = FixRequest & { plistPath?: string };

/** The inputs only the operator can give (which CA file, which proxy and its password). */
export const FixInput = z.enum(['cert', 'url']);
export type FixInput = z.infer<typeof FixInput>;

/**
 * The fix a diagnosis points at. `request` holds what the diagnosis already
 * knows (a scope, a NO_PROXY list); `needs` the inputs still missing before
 * the request is complete.
 */
export const RemedyFix = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ca'), request: CaRequest.omit({ kind: true }).partial(), needs: z.array(FixInput) }),
  z.object({ kind: z.literal('proxy'), request: ProxyRequest.omit({ kind: true }).partial(), needs: z.array(FixInput) }),
  z.object({ kind: z.literal('bind'), request: BindRequest.omit({ kind: true }), needs: z.array(FixInput) }),
  z.object({ kind: z.literal('clock'), request: ClockRequest.omit({ kind: true }).partial(), needs: z.array(FixInput) }),
]);
export type RemedyFix = z.infer<typeof RemedyFix>;

export const Remedy = z.object({
  fix: RemedyFix.nullable(),
  /** A recorded fix (its bundle id) to put back as it was asked, when a diagnosis finds it undone. */
  reapply: z.string().regex(/^[\w.:-]{1,128}$/).optional(),
  view: ViewName,
  /** One line to type, placeholders in angle brackets; null when the remedy is reading, not running. */
  command: z.string().nullable(),
});
export type Remedy = z.infer<typeof Remedy>;

