/**
 * Schemas of everything that crosses a process boundary (CLI --json output,
 * probe child ↔ runner, IPC, files the product keeps), one file per domain
 * under contract/. Types are inferred from them so the two never disagree.
 */
export * from './contract/remedy.ts';
export { FIX_NEEDS, viewRemedy } from './contract/remedies.ts';
export { fixRemedy } from './contract/remedy-checked.ts';
export * from './contract/common.ts';
export * from './contract/env.ts';
export * from './contract/probe.ts';
export * from './contract/glance.ts';
export * from './contract/edges.ts';
export * from './contract/fix.ts';
export * from './contract/report.ts';
export * from './contract/daemon-world.ts';
