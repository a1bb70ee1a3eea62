import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { FIXTURES } from '../../helpers/world.ts';

/**
 * Shared settings of the property tests: one fixed seed so a failure
 * reproduces, few runs so the whole folder stays within seconds, and inputs
 * of 64 KB for the time bounds.
 */
export const SEED = Number(process.env.CLAWBAR_PROPERTY_SEED ?? 0x13c1a4);
/** CLAWBAR_PROPERTY_RUNS multiplies every run count, for a longer search by hand. */
const FACTOR = Math.max(1, Number(process.env.CLAWBAR_PROPERTY_RUNS ?? 1));
export const runs = (numRuns: number) => ({ seed: SEED, numRuns: numRuns * FACTOR, endOnFailure: true });

export const KB64 = 64 * 1024;
/** The bound for one 64 KB input. */
export const BOUND_MS = 100;

export const fixture = (name: string) => readFileSync(join(FIXTURES, 'macos', name), 'utf8');

/** Short text built from pieces that matter to a parser (its delimiters, keywords, blanks). */
export const soup = (pieces: string[], maxLength = 40) => fc.array(fc.constantFrom(...pieces), { maxLength }).map((parts) => parts.join(''));

/**
 * About `size` characters after `prefix`: a short unit of pieces repeated, the
 * shape that makes backtracking patterns blow up. Give it the few pieces a
 * parser's patterns overlap on (blanks, delimiters), not its whole alphabet.
 */
export const repeated = (pieces: string[], prefix = '', size = KB64) => fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 4 })
  .map((parts) => { const unit = parts.join(''); return prefix + unit.repeat(Math.ceil(size / unit.length)).slice(0, size); });

/** A real input with a few edits: pieces inserted, ranges deleted or doubled. */
export const mutated = (base: string, pieces: string[]) => fc.array(fc.tuple(fc.nat(), fc.nat({ max: 64 }), fc.constantFrom(...pieces), fc.constantFrom('insert', 'delete', 'double')), { maxLength: 6 })
  .map((edits) => edits.reduce((text, [at, length, piece, kind]) => {
    const pos = text.length === 0 ? 0 : at % text.length;
    if (kind === 'insert') return text.slice(0, pos) + piece + text.slice(pos);
    if (kind === 'delete') return text.slice(0, pos) + text.slice(pos + length);
    return text.slice(0, pos + length) + text.slice(pos, pos + length) + text.slice(pos + length);
  }, base));

/**
 * Asserts one call on a 64 KB input stays under BOUND_MS. Measured on a
 * warmed function, best of three, so a busy machine delaying one run does
 * not fail the test; a super-linear parser is orders of magnitude over.
 */
export function assertFast(run: () => unknown, label: string, boundMs = BOUND_MS): void {
  const once = () => {
    const started = performance.now();
    try { run(); } catch { /* errors are checked by the properties themselves */ }
    return performance.now() - started;
  };
  once();
  let best = Math.min(once(), once(), once());
  // One more round before failing: a real blow-up misses the bound by orders of magnitude, a busy moment does not.
  if (best >= boundMs) best = Math.min(best, once(), once(), once());
  assert.ok(best < boundMs, `${label}: ${best.toFixed(1)} ms for one input (bound ${boundMs} ms)`);
}

/** Best of three calls of a warmed function, in ms. */
export function bestTime(run: () => unknown): number {
  const once = () => {
    const started = performance.now();
    try { run(); } catch { /* checked by the properties */ }
    return performance.now() - started;
  };
  once();
  return Math.min(once(), once(), once());
}

/**
 * For parsers built on a third-party library that is linear but slow (xmldom,
 * yaml, json5: about 1 ms per KB here), an absolute 100 ms at 64 KB would be
 * flaky on a busy machine. Linear growth is asserted instead: four times the
 * input may cost at most eight times the time (quadratic would be sixteen),
 * plus a little slack for timer noise, and never more than `ceilingMs`.
 */
export function assertLinear(make: (size: number) => unknown, run: (input: never) => unknown, label: string, ceilingMs = 2_000): void {
  const small = make(KB64 / 4);
  const large = make(KB64);
  const time = (input: unknown) => {
    const started = performance.now();
    try { run(input as never); } catch { /* checked by the properties */ }
    return performance.now() - started;
  };
  time(small);
  time(large);
  // Interleaved, best of five each, so a pause of the machine lands on both sizes alike and is filtered out.
  let t16 = Infinity;
  let t64 = Infinity;
  const rounds = () => {
    for (let round = 0; round < 5; round++) {
      t16 = Math.min(t16, time(small));
      t64 = Math.min(t64, time(large));
    }
  };
  rounds();
  if (t64 >= 8 * t16 + 50) rounds();
  assert.ok(t64 < 8 * t16 + 50, `${label}: ${t16.toFixed(1)} ms at 16 KB but ${t64.toFixed(1)} ms at 64 KB (not linear)`);
  assert.ok(t64 < ceilingMs, `${label}: ${t64.toFixed(1)} ms at 64 KB`);
}

/** Same for async work such as reading a file. */
export async function assertFastAsync(run: () => Promise<unknown>, label: string, boundMs = BOUND_MS): Promise<void> {
  const once = async () => {
    const started = performance.now();
    try { await run(); } catch { /* checked by the properties */ }
    return performance.now() - started;
  };
  await once();
  const best = Math.min(await once(), await once(), await once());
  assert.ok(best < boundMs, `${label}: ${best.toFixed(1)} ms for one input (bound ${boundMs} ms)`);
}

/** Runs `run`; anything thrown must be an instance of one of `allowed`. */
export function onlyThrows(run: () => unknown, ...allowed: Array<abstract new (...args: never[]) => Error>): void {
  try { run(); } catch (error) {
    assert.ok(allowed.some((type) => error instanceof type), `unexpected ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
    assert.ok(!/\n/.test((error as Error).message.trim()), `error message is not one line: ${(error as Error).message}`);
  }
}

export async function onlyRejects(run: () => Promise<unknown>, ...allowed: Array<abstract new (...args: never[]) => Error>): Promise<void> {
  try { await run(); } catch (error) {
    assert.ok(allowed.some((type) => error instanceof type), `unexpected ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
    assert.ok(!/\n/.test((error as Error).message.trim()), `error message is not one line: ${(error as Error).message}`);
  }
}
