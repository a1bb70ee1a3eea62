import type { ClawbarApi } from '../preload/api.ts';

declare global {
  interface Window { clawbar: ClawbarApi }
}

/** The preload's bridge: the only way this page reaches main. */
export const api: ClawbarApi = window.clawbar;

export type { ClawbarApi };
export type * from './types.ts';
