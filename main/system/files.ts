import { constants } from 'node:fs';
import { access, open, lstat, readFile, realpath } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.ts';
import { InputError } from './errors.ts';

/** Service files are small; anything bigger is refused before it is read. */
export const MAX_SERVICE_FILE_BYTES = 4 * 1024 * 1024;

function reason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ELOOP': return 'too many levels of symbolic links';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'a parent is not a directory';
    default: return error.code ?? error.message;
  }
}

/**
 * Reads a file that clawbar must parse, refusing what is not a regular file or
 * is larger than `maxBytes` — without reading the whole of a hostile file first.
 * Every failure is an InputError naming the path and the reason.
 */
export async function readBoundedFile(path: string, maxBytes = MAX_SERVICE_FILE_BYTES): Promise<Buffer> {
  let handle;
  try {
    await realpath(path);
    handle = await open(path, 'r');
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${reason(error as NodeJS.ErrnoException)}`, path);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new InputError(`cannot read ${path}: not a regular file`, path);
    if (info.size > maxBytes) {
      throw new InputError(`cannot read ${path}: ${info.size} bytes is larger than the ${maxBytes}-byte limit for this kind of file`, path);
    }
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes) throw new InputError(`cannot read ${path}: grew past the ${maxBytes}-byte limit while reading`, path);
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read ${path}: ${reason(error as NodeJS.ErrnoException)}`, path);
  } finally {
    await handle.close();
  }
}

/** File mode, owner and whether it exists, without following a final symlink. */
export async function fileFacts(path: string): Promise<{ exists: boolean; mode?: number; uid?: number; mtimeMs?: number; isFile?: boolean }> {
  try {
    const info = await lstat(path);
    return { exists: true, mode: info.mode & 0o7777, uid: info.uid, mtimeMs: info.mtimeMs, isFile: info.isFile() };
  } catch {
    return { exists: false };
  }
}

/** Can this path be executed (a file) or searched (a folder) by this process? */
export const isExecutable = (path: string) => access(path, constants.X_OK).then(() => true, () => false);

/** Reads a JSON state file; a missing or broken one reads as `fallback` (state is rebuilt, never fatal). */
export async function readJson<T>(path: string, fallback: T): Promise<T> {
  try { return JSON.parse(await readFile(path, 'utf8')) as T; } catch { return fallback; }
}

/** A private state file, replaced atomically: a crash leaves the old file or the new one, never half of either. */
export async function writeJsonAtomic(path: string, data: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, createDirMode: 0o700 });
}

/**
 * Writes a file the user asked for (`--out`, the metrics textfile) atomically,
 * so a reader never sees half of it and a failure leaves no partial file.
 * Any failure is an InputError naming the path (exit 65).
 */
export async function writeOutputFile(path: string, data: string, options: { mode: number; createDir: boolean }): Promise<void> {
  try {
    await writeFileAtomic(path, data, { mode: options.mode, ...(options.createDir ? { createDirMode: 0o755 } : {}) });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    throw new InputError(`cannot write ${path}: ${failure.code === 'ENOENT' ? 'its folder does not exist' : reason(failure)}`, path);
  }
}
