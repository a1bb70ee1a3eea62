import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { z } from 'zod';

/**
 * The only way main answers the renderer: every invoke channel of the
 * contract is registered here, and each call is checked in the same order —
 * sender, size, schema — before a handler sees it. Errors reach the renderer
 * as one short line; stacks and details stay in main's log.
 */

/** A contract maps each invoke channel to its request and response schemas (main/ipc-contract.ts INVOKE). */
export interface ChannelSchemas { request: z.ZodType; response: z.ZodType }
export type Contract = Record<string, ChannelSchemas>;
export type ContractHandlers<C extends Contract> = {
  [K in keyof C]: (request: z.output<C[K]['request']>) => Promise<z.input<C[K]['response']>>;
};

/** Requests are small (a fix request, a settings patch); anything bigger is not from our renderer's code. */
export const MAX_REQUEST_CHARS = 256 * 1024;
const MAX_MESSAGE_CHARS = 300;

/** One line, bounded, no stack: what the renderer may know about a failure. */
export function publicMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n', 1)[0]!.trim();
  return line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS)}…` : line;
}

function rejection(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** The first schema issue as `path: message`, without echoing the value. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return publicMessage(`${path ? `${path}: ` : ''}${issue.message}`);
}

function requestSize(payload: unknown): number | null {
  try { return JSON.stringify(payload ?? null).length; } catch { return null; }
}

/**
 * Registers one ipcMain.handle per contract channel and returns a function
 * that removes them again. Untrusted senders, oversized or malformed
 * requests are refused before the handler runs; responses are checked
 * against the contract too, so a bug in main cannot send the renderer
 * something the preload's types do not promise.
 */
export function registerIpc<C extends Contract>(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  contract: C,
  handlers: ContractHandlers<C>,
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean,
  log: (message: string, error: unknown) => void = (message, error) => console.error(message, error),
): () => void {
  const channels = Object.keys(contract);
  for (const channel of channels) {
    const schemas = contract[channel]!;
    const handler = handlers[channel as keyof C];
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      if (!isTrustedSender(event)) {
        log(`ipc ${channel}: refused a sender that is not the clawbar window`, event.senderFrame?.url);
        throw rejection(`${channel}: refused: not the clawbar window`);
      }
      if (args.length > 1) throw rejection(`${channel}: invalid request: expected one argument`);
      const payload = args.length === 0 ? {} : args[0];
      const size = requestSize(payload);
      if (size === null || size > MAX_REQUEST_CHARS) throw rejection(`${channel}: invalid request: too large or not plain data`);
      const parsed = schemas.request.safeParse(payload);
      if (!parsed.success) throw rejection(`${channel}: invalid request: ${describeIssue(parsed.error)}`);
      let result: unknown;
      try {
        result = await handler(parsed.data as z.output<C[keyof C]['request']>);
      } catch (error) {
        log(`ipc ${channel} failed`, error);
        throw rejection(`${channel}: ${publicMessage(error)}`);
      }
      const checked = schemas.response.safeParse(result);
      if (!checked.success) {
        log(`ipc ${channel}: response does not match the contract`, checked.error);
        throw rejection(`${channel}: internal error`);
      }
      return checked.data;
    });
  }
  return () => channels.forEach((channel) => ipcMain.removeHandler(channel));
}

/**
 * A sender for main → renderer events that checks each payload against the
 * contract first, so the renderer only ever receives what its types promise.
 */
export function createEventSender<E extends Record<string, z.ZodType>>(
  events: E,
  log: (message: string, error: unknown) => void = (message, error) => console.error(message, error),
): <K extends keyof E & string>(contents: Pick<WebContents, 'send' | 'isDestroyed'> | null, channel: K, payload: z.input<E[K]>) => boolean {
  return (contents, channel, payload) => {
    if (!contents || contents.isDestroyed()) return false;
    const parsed = events[channel]!.safeParse(payload);
    if (!parsed.success) {
      log(`ipc event ${channel}: payload does not match the contract`, parsed.error);
      return false;
    }
    contents.send(channel, parsed.data);
    return true;
  };
}
