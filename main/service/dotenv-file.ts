import { InputError } from '../system/errors.ts';
import { readBoundedFile } from '../system/files.ts';

/**
 * OpenClaw loads `<state>/.env` with dotenv, so clawbar must read it the same
 * way. dotenv's own parser is one regular expression whose leading `\s*` is
 * retried from every line start of a blank stretch: 20 000 blank lines cost
 * seconds. This is the same grammar walked once, character by character:
 *
 *   [blanks] [export <blanks>] KEY (<blanks> "=" | ":" <blank>) VALUE [blanks] [# comment]
 *
 * KEY is `[A-Za-z0-9_.-]+`; VALUE is a '…', "…" or `…` string (which may span
 * lines and end at the first unescaped quote followed only by blanks or a
 * comment), else the rest of the line up to `#`. Values are trimmed, outer
 * quotes removed, and `\n`/`\r` expanded when the value began with `"`.
 * Lines that do not fit are skipped, as dotenv skips them.
 */

/** OpenClaw's `.env` holds a handful of keys; a bigger file is refused rather than read. */
export const MAX_DOTENV_BYTES = 1024 * 1024;

const QUOTES = new Set(["'", '"', '`']);

/** JavaScript's `\s`, which dotenv's expression uses, by code unit (a regular expression per character is slow). */
function isBlankCode(n: number): boolean {
  if (n <= 32) return n === 32 || (n >= 9 && n <= 13);
  return n >= 160 && (n === 160 || n === 5760 || (n >= 8192 && n <= 8202) || n === 8232 || n === 8233 || n === 8239 || n === 8287 || n === 12288 || n === 65279);
}
const isBlank = (c: string | undefined): boolean => c !== undefined && isBlankCode(c.charCodeAt(0));
/** Where `^` and `$` of a multiline expression match, and `.` stops. */
const isLineEnd = (c: string | undefined): boolean => c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';
/** dotenv's key characters, `[\w.-]`. */
function isKeyCode(n: number): boolean {
  return (n >= 48 && n <= 57) || (n >= 65 && n <= 90) || (n >= 97 && n <= 122) || n === 95 || n === 46 || n === 45;
}

class Scan {
  readonly text: string;
  constructor(text: string) { this.text = text; }

  blanks(from: number): number {
    let at = from;
    while (at < this.text.length && isBlankCode(this.text.charCodeAt(at))) at++;
    return at;
  }

  /** Index just past the next line end at or after `from` (the next line start), or the length. */
  nextLineStart(from: number): number {
    for (let at = from; at < this.text.length; at++) if (isLineEnd(this.text[at])) return at + 1;
    return this.text.length;
  }

  /**
   * After a value: blanks, an optional `# comment`, then the end of a line.
   * Blanks may run over line ends; the end returned is where the match stops.
   */
  tail(from: number): number | null {
    const after = this.blanks(from);
    const c = this.text[after];
    if (c === undefined) return after;
    if (c === '#') {
      let at = after;
      while (at < this.text.length && !isLineEnd(this.text[at])) at++;
      return at;
    }
    // Give blanks back until a line end: the last one before `after`.
    for (let at = after - 1; at >= from; at--) if (isLineEnd(this.text[at])) return at;
    return null;
  }

  /**
   * A quoted value opening at `open`: the end of its closing quote and of the
   * match. The first unescaped quote is tried first, then each `\q` from the
   * last back, as dotenv's backtracking does.
   */
  quoted(open: number): { close: number; end: number } | null {
    const q = this.text[open]!;
    const escaped: number[] = [];
    let close = -1;
    for (let at = open + 1; at < this.text.length; at++) {
      const c = this.text[at];
      if (c === '\\' && this.text[at + 1] === q) { escaped.push(at + 1); at++; continue; }
      if (c === q) { close = at; break; }
    }
    const candidates = close >= 0 ? [close, ...escaped.reverse()] : escaped.reverse();
    for (const candidate of candidates) {
      const end = this.tail(candidate + 1);
      if (end !== null) return { close: candidate, end };
    }
    return null;
  }

  /** The value after `=` (or `: `) starting at `from`, raw, and where the match ends. */
  value(from: number): { raw: string; end: number } {
    const start = this.blanks(from);
    if (QUOTES.has(this.text[start]!)) {
      const found = this.quoted(start);
      if (found) return { raw: this.text.slice(from, found.close + 1), end: found.end };
    }
    const c = this.text[from];
    if (c !== undefined && c !== '#' && c !== '\n' && c !== '\r') {
      let at = from;
      while (at < this.text.length && this.text[at] !== '#' && this.text[at] !== '\n' && this.text[at] !== '\r') at++;
      return { raw: this.text.slice(from, at), end: this.tail(at)! };
    }
    return { raw: '', end: this.tail(from)! };
  }

  /** KEY, separator and value from `at`, or null when the line does not fit. */
  entry(at: number): { key: string; raw: string; end: number } | null {
    let keyEnd = at;
    while (keyEnd < this.text.length && isKeyCode(this.text.charCodeAt(keyEnd))) keyEnd++;
    if (keyEnd === at) return null;
    const key = this.text.slice(at, keyEnd);
    const eq = this.blanks(keyEnd);
    let from: number;
    if (this.text[eq] === '=') from = eq + 1;
    else if (this.text[keyEnd] === ':' && isBlank(this.text[keyEnd + 1])) from = keyEnd + 2;
    else return null;
    return { key, ...this.value(from) };
  }

  /** One entry starting at the blanks `start` leads to. */
  match(start: number): { key: string; raw: string; end: number } | null {
    if (this.text.startsWith('export', start) && isBlank(this.text[start + 6])) {
      const found = this.entry(this.blanks(start + 6));
      if (found) return found;
    }
    return this.entry(start);
  }
}

/** dotenv's outer-quote removal, exact also for values holding U+2028/U+2029 line breaks. */
function unquote(value: string): string {
  if (!/[\n\r\u2028\u2029]/.test(value)) {
    const q = value[0];
    return value.length >= 2 && q !== undefined && QUOTES.has(q) && value.at(-1) === q ? value.slice(1, -1) : value;
  }
  // A quote at a line start pairs with the last same quote that ends a line; dotenv's
  // /^(['"`])([\s\S]*)\1$/mg does that once per line start, left to right.
  const lastClosing = new Map<string, number>();
  for (let at = 0; at < value.length; at++) {
    if (QUOTES.has(value[at]!) && (at + 1 === value.length || isLineEnd(value[at + 1]))) lastClosing.set(value[at]!, at);
  }
  let out = '';
  let copied = 0;
  for (let at = 0; at < value.length; at++) {
    const lineStart = at === 0 || isLineEnd(value[at - 1]);
    const close = lineStart ? lastClosing.get(value[at]!) : undefined;
    if (close === undefined || close <= at) continue;
    out += value.slice(copied, at) + value.slice(at + 1, close);
    copied = close + 1;
    at = close;
  }
  return out + value.slice(copied);
}

/** Parses `.env` text exactly as dotenv's `parse()` does, in time linear in its length. */
export function parseDotenv(source: string | Buffer): Record<string, string> {
  const raw = typeof source === 'string' ? source : source.toString('utf8');
  if (raw.length > MAX_DOTENV_BYTES) throw new InputError(`a .env file of ${raw.length} characters is larger than the ${MAX_DOTENV_BYTES}-character limit`);
  const scan = new Scan(raw.replace(/\r\n?/g, '\n'));
  const text = scan.text;
  const out: Record<string, string> = {};
  let at = 0;
  while (at < text.length) {
    const start = scan.blanks(at);
    const found = scan.match(start);
    if (!found) {
      // Every line start inside the blanks just skipped would reach `start` and fail the same way.
      at = start >= text.length ? text.length : scan.nextLineStart(start);
      continue;
    }
    const trimmed = found.raw.trim();
    let value = unquote(trimmed);
    if (trimmed[0] === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    // dotenv assigns into a plain object, where `__proto__` is not a key.
    if (found.key !== '__proto__') out[found.key] = value;
    at = found.end === 0 || isLineEnd(text[found.end - 1]) ? found.end : scan.nextLineStart(found.end);
    if (found.end >= text.length) break;
  }
  return out;
}

/** Reads and parses a `.env` file, refusing one larger than MAX_DOTENV_BYTES before reading it. */
export async function readDotenvFile(path: string): Promise<Record<string, string>> {
  return parseDotenv(await readBoundedFile(path, MAX_DOTENV_BYTES));
}
