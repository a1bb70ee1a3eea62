import { realpath, stat } from 'node:fs/promises';
import type { NodeBinary } from '../contract.ts';
import type { Executor } from '../system/exec.ts';

/** `node --version` answers in milliseconds; a binary that hangs or floods is not a node worth waiting for. */
const VERSION_TIMEOUT_MS = 5_000;
const VERSION_MAX_BYTES = 4 * 1024;

/**
 * The node binary a service names, as found now: where its path resolves
 * (Homebrew's `bin/node` is a link into a versioned Cellar folder), its size
 * and modification time, and its version. The version is asked (`node
 * --version` through the one executor, with an empty environment: no
 * NODE_OPTIONS of the caller's) only when the fingerprint differs from
 * `known` — also when that version could not be read — so a look every
 * minute costs two file-system calls. Null when the path does not resolve to
 * a file (the service's own finding says so).
 */
export async function nodeBinary(exec: Executor, path: string, known: NodeBinary | null): Promise<NodeBinary | null> {
  let realPath: string;
  let facts: { size: number; mtimeMs: number; isFile(): boolean };
  try {
    realPath = await realpath(path);
    facts = await stat(realPath);
  } catch {
    return null;
  }
  if (!facts.isFile()) return null;
  const found = { path, realPath, size: facts.size, mtimeMs: facts.mtimeMs };
  // A version that could not be read stays unread for this file too: asking every look would cost a process start each minute.
  if (known && known.path === path && known.realPath === realPath && known.size === found.size && known.mtimeMs === found.mtimeMs) return known;
  const result = await exec(path, ['--version'], { timeoutMs: VERSION_TIMEOUT_MS, maxBytes: VERSION_MAX_BYTES, env: {} });
  const version = result.code === 0 ? /^v\d+\.\d+\.\d+\S*/.exec(result.stdout.trim())?.[0] ?? null : null;
  return { ...found, version };
}
