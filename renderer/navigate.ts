import type { RemedyFix, ViewName } from './types.ts';

/**
 * How a view sends the operator elsewhere. Its own file so the views and the
 * app that renders them do not import each other.
 */

/**
 * What another view preselects in the fix wizard: a remedy's fix, with the
 * request as far as the diagnosis knows it, or a recorded fix to put back.
 */
export type FixPreset = RemedyFix | { reapply: string };

export type Navigate = (view: ViewName, preset?: FixPreset) => void;
