import { RemedyFix, type FixKind, type Remedy } from './remedy.ts';
import { fixRemedyUnchecked, type RequestOf } from './remedies.ts';

/**
 * The remedy that is a guided fix: it opens the fix wizard with the request
 * filled in, and its command is the same fix on the CLI. A value the request
 * schema refuses is a bug in the diagnosis, thrown where it is made.
 */
export function fixRemedy<K extends FixKind>(kind: K, request?: RequestOf<K>): Remedy {
  const remedy = fixRemedyUnchecked(kind, request);
  RemedyFix.parse(remedy.fix);
  return remedy;
}
