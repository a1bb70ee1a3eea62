import { parentPort } from 'node:worker_threads';
import { CASES } from './hostile-cases.ts';

// Runs one named case and reports its duration; the parent stops this worker when the budget runs out.
parentPort!.on('message', async (name: string) => {
  const started = performance.now();
  try {
    await CASES[name]!.run();
    parentPort!.postMessage({ ok: true, ms: performance.now() - started });
  } catch (error) {
    parentPort!.postMessage({ ok: false, ms: performance.now() - started, error: (error as Error).stack ?? String(error) });
  }
});
parentPort!.postMessage({ ready: true });
