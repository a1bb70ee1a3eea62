import { constants } from 'node:fs';
import { lstat, open, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

/**
 * Where OpenClaw writes its JSON-lines log and how to read it incrementally:
 * from a remembered offset, following a rotation (the active file renamed
 * to `.1`, the older ones shifted) by the file's inode, starting over when
 * a file was truncated, and bounded in bytes per read and per line.
 */

/** OpenClaw keeps five archives (`openclaw-….1.log` … `.5.log`). */
const ARCHIVES = 5;
/** A first look reads only the tail: a 100 MB log of last week's errors is history, not news. */
export const FIRST_READ_BYTES = 4 * 1024 * 1024;
/** Per read of all files; the rest waits for the next read (the cursor stays where this one stopped). */
export const MAX_READ_BYTES = 16 * 1024 * 1024;
/** OpenClaw's records are a few KB; a longer line is not one of them and is skipped unread. */
const MAX_LINE_BYTES = 256 * 1024;
const CHUNK = 1024 * 1024;

/** Where reading stopped, and the file's first bytes: a file rewritten in place (same inode) starts differently. */
export interface LogCursor { path: string; ino: number; offset: number; head: string }

const HEAD_BYTES = 64;

/** OpenClaw's own file name for a profile: lowercase letters and digits kept, everything else escaped reversibly. */
export function profileSegment(profile: string | undefined): string | null {
  const value = profile?.trim();
  if (!value || value.toLowerCase() === 'default') return null;
  let out = '';
  for (const char of value) {
    if (/^[a-z0-9]$/.test(char)) out += char;
    else if (char === '-') out += '--';
    else if (char === '_') out += '-0';
    else if (/^[A-Z]$/.test(char)) out += `-1${char.toLowerCase()}`;
    else out += `-2${char.codePointAt(0)?.toString(16) ?? '0'}-`;
  }
  return out.length <= 220 ? out : null;
}

const localDate = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/**
 * The active log files: `logging.file` when set, else the dated file of
 * today and yesterday (the gateway's local date; a read after midnight
 * finishes yesterday's) in /tmp/openclaw or the per-user fallback OpenClaw
 * uses when that folder is unsafe (`<TMPDIR>/openclaw-<uid>`).
 */
export function activeLogFiles(options: { configured: string | null; env: Record<string, string>; uid: number | null; now: Date }): string[] {
  if (options.configured) return [options.configured];
  const segment = profileSegment(options.env.OPENCLAW_PROFILE);
  const dirs = ['/tmp/openclaw', ...(options.uid !== null ? [join(options.env.TMPDIR || '/tmp', `openclaw-${options.uid}`)] : [])];
  const dates = [new Date(options.now.getTime() - 86_400_000), options.now].map(localDate);
  return [...new Set(dirs)].flatMap((dir) => dates.map((date) => join(dir, `openclaw${segment ? `-${segment}` : ''}-${date}.log`)));
}

/** The paths that are regular files now (symlinks are not followed, as reading never follows them). */
export async function presentLogFiles(paths: string[]): Promise<string[]> {
  const found = await Promise.all(paths.map((path) => lstat(path).then((info) => info.isFile(), () => false)));
  return paths.filter((_, i) => found[i]);
}

/** `openclaw-2026-01-02.log` → `openclaw-2026-01-02.3.log`, as OpenClaw names its archives. */
export const archivePath = (path: string, index: number) => `${path.slice(0, path.length - extname(path).length)}.${index}${extname(path)}`;

async function readFrom(path: string, offset: number, budget: { left: number }, onLine: (line: string) => void): Promise<{ ino: number; offset: number; head: string } | null> {
  let handle;
  try { handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK); } catch { return null; }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return null;
    let position = offset > info.size ? 0 : offset;
    let carry = Buffer.alloc(0);
    while (position < info.size && budget.left > 0) {
      const buffer = Buffer.alloc(Math.min(CHUNK, info.size - position, budget.left));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      budget.left -= bytesRead;
      let data = Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
      let start = 0;
      for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
        if (nl - start <= MAX_LINE_BYTES) onLine(data.subarray(start, nl).toString('utf8'));
        start = nl + 1;
      }
      position += bytesRead;
      carry = data.subarray(start);
      // A line longer than any record is dropped; reading resumes at its end.
      if (carry.length > MAX_LINE_BYTES) carry = Buffer.alloc(0);
      data = Buffer.alloc(0);
    }
    const head = Buffer.alloc(Math.min(HEAD_BYTES, info.size));
    await handle.read(head, 0, head.length, 0);
    // Only whole lines are consumed: a line still being written is read next time.
    return { ino: info.ino, offset: position - carry.length, head: head.toString('base64') };
  } finally {
    await handle.close();
  }
}

/**
 * New lines of each active file since its cursor; the cursors to keep. A
 * rotated file (the inode at the path changed) is finished in the archive
 * that now holds that inode, then the new file is read from its start.
 */
export async function readNewLines(paths: string[], cursors: LogCursor[], onLine: (line: string) => void): Promise<{ cursors: LogCursor[]; read: string[] }> {
  const budget = { left: MAX_READ_BYTES };
  const next: LogCursor[] = [];
  const read: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) continue;
    const known = cursors.find((c) => c.path === path);
    let offset = known ? known.offset : Math.max(0, info.size - FIRST_READ_BYTES);
    if (known && known.ino !== info.ino) {
      for (let i = 1; i <= ARCHIVES; i++) {
        const archive = archivePath(path, i);
        if ((await stat(archive).catch(() => null))?.ino === known.ino) { await readFrom(archive, known.offset, budget, onLine); break; }
      }
      offset = 0;
    }
    else if (known && known.head !== await headOf(path, known.head)) offset = 0;
    if (!known && offset > 0) offset = await nextLineStart(path, offset);
    const done = await readFrom(path, offset, budget, onLine);
    if (done) { next.push({ path, ...done }); read.push(path); }
  }
  return { cursors: next, read };
}

/** The first bytes of a file, as long as the kept head (a head kept while the file was shorter compares as far as it goes). */
async function headOf(path: string, kept: string): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => null);
  if (!handle) return '';
  try {
    const buffer = Buffer.alloc(Buffer.from(kept, 'base64').length);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('base64');
  } finally {
    await handle.close();
  }
}

/** Starting inside a file, the first whole line begins after the next newline. */
async function nextLineStart(path: string, offset: number): Promise<number> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => null);
  if (!handle) return offset;
  try {
    const buffer = Buffer.alloc(MAX_LINE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset - 1);
    const nl = buffer.subarray(0, bytesRead).indexOf(10);
    return nl === -1 ? offset : offset - 1 + nl + 1;
  } finally {
    await handle.close();
  }
}
