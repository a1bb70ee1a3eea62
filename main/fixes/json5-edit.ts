import { isDeepStrictEqual } from 'node:util';
import JSON5 from 'json5';

interface Member { key: string; keyStart: number; valueStart: number; valueEnd: number; node: Node }
interface Node { start: number; end: number; members: Member[] | null }

/** openclaw.json is a few KB and a few levels deep; past these bounds the text is not a config clawbar edits. */
export const MAX_JSON5_EDIT_BYTES = 4 * 1024 * 1024;
const MAX_DEPTH = 256;
// Sticky, so each token is matched where the scanner stands instead of on a fresh copy of the rest of the text.
const BARE_KEY = /[\p{L}$_][\p{L}\p{N}$_]*/uy;
const BARE_VALUE = /[^,}\]\s/]+/y;

class Scanner {
  pos = 0;
  readonly text: string;
  constructor(text: string) { this.text = text; }

  fail(what: string): never { throw new Error(`${what} at offset ${this.pos}`); }

  skip(): void {
    const t = this.text;
    for (;;) {
      while (this.pos < t.length && /\s|\uFEFF/.test(t[this.pos]!)) this.pos++;
      if (t.startsWith('//', this.pos)) { const nl = t.indexOf('\n', this.pos); this.pos = nl < 0 ? t.length : nl + 1; continue; }
      if (t.startsWith('/*', this.pos)) { const close = t.indexOf('*/', this.pos + 2); if (close < 0) this.fail('unclosed comment'); this.pos = close + 2; continue; }
      return;
    }
  }

  string(): string {
    const quote = this.text[this.pos]!;
    const start = this.pos;
    this.pos++;
    while (this.pos < this.text.length && this.text[this.pos] !== quote) this.pos += this.text[this.pos] === '\\' ? 2 : 1;
    if (this.pos >= this.text.length) this.fail('unclosed string');
    this.pos++;
    return JSON5.parse(this.text.slice(start, this.pos)) as string;
  }

  /** The token `pattern` matches at the current position, or null. */
  token(pattern: RegExp): string | null {
    pattern.lastIndex = this.pos;
    return pattern.exec(this.text)?.[0] ?? null;
  }

  value(depth = 0): Node {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    this.skip();
    const start = this.pos;
    const c = this.text[this.pos];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      const members: Member[] = [];
      this.pos++;
      for (;;) {
        this.skip();
        if (this.text[this.pos] === close) { this.pos++; break; }
        if (this.pos >= this.text.length) this.fail('unexpected end');
        let key = '';
        const keyStart = this.pos;
        if (c === '{') {
          if (this.text[this.pos] === '"' || this.text[this.pos] === "'") key = this.string();
          else { const bare = this.token(BARE_KEY); if (bare === null) this.fail('expected a key'); key = bare; this.pos += key.length; }
          this.skip();
          if (this.text[this.pos] !== ':') this.fail('expected ":"');
          this.pos++;
          this.skip();
        }
        const valueStart = this.pos;
        const node = this.value(depth + 1);
        if (c === '{') members.push({ key, keyStart, valueStart, valueEnd: node.end, node });
        this.skip();
        if (this.text[this.pos] === ',') this.pos++;
      }
      return { start, end: this.pos, members: c === '{' ? members : null };
    }
    if (c === '"' || c === "'") { this.string(); return { start, end: this.pos, members: null }; }
    const bare = this.token(BARE_VALUE);
    if (bare === null) this.fail('expected a value');
    this.pos += bare.length;
    return { start, end: this.pos, members: null };
  }
}

const keyText = (key: string, quoted: boolean) => (!quoted && /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key));

function nest(path: string[], value: unknown, quoted: boolean): string {
  const [head, ...rest] = path;
  return `${keyText(head!, quoted)}: ${rest.length ? `{ ${nest(rest, value, quoted)} }` : JSON.stringify(value)}`;
}

/**
 * Sets `path` to `value` in JSON5 text, keeping comments, order and layout:
 * only the value's own characters change (or one member is inserted). The
 * result is parsed back and must equal the original with that one change.
 */
export function setJson5Value(text: string, path: string[], value: unknown): string {
  if (text.length > MAX_JSON5_EDIT_BYTES) throw new Error(`the config is larger than ${MAX_JSON5_EDIT_BYTES} bytes`);
  const root = new Scanner(text).value();
  if (!root.members) throw new Error('the config is not a JSON5 object');
  let node = root;
  let next = text;
  for (const [depth, key] of path.entries()) {
    const member = node.members?.find((m) => m.key === key);
    const last = depth === path.length - 1;
    if (member && (last || member.node.members)) {
      if (last) next = text.slice(0, member.valueStart) + JSON.stringify(value) + text.slice(member.valueEnd);
      node = member.node;
      if (last) break;
      continue;
    }
    if (member) throw new Error(`${path.slice(0, depth + 1).join('.')} is not an object`);
    // Appended after the last member, in the style of the first (indent, quoted keys as in strict JSON).
    const first = node.members![0];
    const tail = node.members!.at(-1);
    const quoted = first !== undefined && text[first.keyStart] === '"';
    const lineStart = first ? text.lastIndexOf('\n', first.keyStart) + 1 : 0;
    const indent = first && /^[ \t]*$/.test(text.slice(lineStart, first.keyStart)) ? `\n${text.slice(lineStart, first.keyStart)}` : ' ';
    const added = nest(path.slice(depth), value, quoted);
    next = tail
      ? `${text.slice(0, tail.valueEnd)},${indent}${added}${text.slice(tail.valueEnd)}`
      : `${text.slice(0, node.start + 1)} ${added} ${text.slice(node.start + 1)}`;
    break;
  }
  const expected = JSON5.parse(text) as Record<string, unknown>;
  let cursor = expected;
  for (const key of path.slice(0, -1)) cursor = (cursor[key] ??= {}) as Record<string, unknown>;
  cursor[path.at(-1)!] = value;
  if (!isDeepStrictEqual(JSON5.parse(next), expected)) throw new Error('the edit did not produce the intended config');
  return next;
}
