import type { RemedyFix, ViewName } from './types.ts';

/**
 * How a view sends the operator elsewhere. Its own file so the views and the
 * app that renders them do not import each other.
 */

/** What another view preselects in the fix wizard: a remedy's fix, with the request as far as the diagnosis knows it. */
export type FixPreset = RemedyFix;

export type Navigate = (view: ViewName, preset?: FixPreset) => void;
