import { copyFile, link, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NODE24 } from '../peers/openclaw.ts';
import { ROOT } from './world.ts';

/**
 * A Node 24 binary at a path of its own, to stand for the daemon's
 * `/opt/homebrew/bin/node`: the probe child must report this path, not the
 * test runner's. A hard link costs nothing; a copy is the fallback across
 * file systems.
 */
export async function daemonNode(name: string): Promise<string> {
  const dir = join(ROOT, 'test-output', 'daemon-node', name, 'bin');
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'node');
  try {
    await link(NODE24, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return path;
    await copyFile(NODE24, path);
  }
  return path;
}
