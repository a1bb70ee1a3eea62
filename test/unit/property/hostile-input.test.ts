import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { CASES } from './hostile-cases.ts';

/**
 * Each case ran for seconds to minutes before (see `before`) and takes a few
 * milliseconds now; the budget leaves room for a loaded machine and still
 * catches a return of the blow-up.
 */
const BUDGET_MS = 1_000;

type Outcome = { ok: true; ms: number } | { ok: false; ms: number; error: string } | { overrun: true };

function runInWorker(name: string): Promise<Outcome> {
  const worker = new Worker(new URL('./budget-worker.ts', import.meta.url));
  let timer: NodeJS.Timeout | undefined;
  return new Promise<Outcome>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (message: { ready?: true } & Outcome) => {
      if (message.ready) {
        // The clock starts once the modules are loaded, so the budget measures only the case.
        timer = setTimeout(() => resolve({ overrun: true }), BUDGET_MS);
        worker.postMessage(name);
        return;
      }
      resolve(message);
    });
  }).finally(() => {
    clearTimeout(timer);
    void worker.terminate();
  });
}

describe('hostile input from the security review: bounded time, clear errors', () => {
  for (const [name, { before }] of Object.entries(CASES)) {
    it(`${name} (before: ${before})`, async () => {
      const outcome = await runInWorker(name);
      if ('overrun' in outcome) assert.fail(`still running after ${BUDGET_MS} ms`);
      assert.ok(outcome.ok, outcome.ok ? '' : outcome.error);
      if (process.env.CLAWBAR_SHOW_TIMES) console.log(`${name}: ${outcome.ms.toFixed(1)} ms`);
    });
  }
});
