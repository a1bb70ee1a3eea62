/**
 * Import this first in a test of main/app: it resolves 'electron' to the
 * hand-written mock for the rest of the test process (each test file runs in
 * its own process), so the real package — whose entry point would try to
 * download a binary — is never loaded. Static imports are resolved before
 * any module runs, so modules that import 'electron' must be loaded with
 * `await import(...)` after this one.
 */
import { registerHooks } from 'node:module';

const MOCK_URL = new URL('../mocks/electron.ts', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'electron') return { url: MOCK_URL, shortCircuit: true };
    return nextResolve(specifier, context);
  },
});
