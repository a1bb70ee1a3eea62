import type { FixRequest } from '../ipc-contract.ts';

/**
 * Adds the watched service's plist to a request from the renderer (the clock
 * fix has none): IPC requests never name files themselves.
 */
export function withService(request: FixRequest, plistPath: string | null): FixRequest & { plistPath?: string } {
  if (request.kind === 'clock' || !plistPath) return request;
  return { ...request, plistPath };
}
