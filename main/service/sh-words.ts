/**
 * A lexer for the part of POSIX sh that environment files use: words built from
 * unquoted, 'single-quoted' and "double-quoted" pieces, backslash escapes,
 * parameter expansions, comments, `;` and newlines. Anything else (pipes,
 * redirections, command substitution) is reported, not guessed at.
 */

export type Piece =
  | { kind: 'text'; text: string; quoted: boolean }
  | { kind: 'param'; name: string; op: '' | '-' | ':-' | '+' | ':+'; word: Piece[]; quoted: boolean }
  | { kind: 'unsupported'; what: string };

export interface Word {
  pieces: Piece[];
  /** The word as written, for messages. */
  raw: string;
}

export interface Command {
  line: number;
  words: Word[];
  /** Set when the command uses syntax clawbar does not evaluate. */
  unsupported: string | null;
}

export interface LexResult {
  commands: Command[];
  /** A syntax error sh would stop at (unterminated quote, bad substitution). */
  syntaxError: { line: number; message: string } | null;
  /** Where clawbar stopped reading because expansions nest deeper than MAX_NESTING; sh itself would go on. */
  tooDeep: { line: number; message: string } | null;
}

/**
 * How deep `${A:-${B:-...}}` may nest before clawbar stops reading. Real env
 * files nest one or two levels; the bound keeps a hostile file from
 * exhausting the stack of this recursive reader and of the evaluator.
 */
export const MAX_NESTING = 64;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const OPERATORS = new Set(['|', '&', '<', '>', '(', ')']);

class Lexer {
  private pos = 0;
  line = 1;
  /** Open `${...:-` expansions around the reader. */
  depth = 0;
  private readonly src: string;
  constructor(src: string) { this.src = src; }

  peek(offset = 0): string | undefined { return this.src[this.pos + offset]; }
  next(): string {
    const ch = this.src[this.pos++]!;
    if (ch === '\n') this.line++;
    return ch;
  }
  done(): boolean { return this.pos >= this.src.length; }
  mark(): number { return this.pos; }
  slice(from: number): string { return this.src.slice(from, this.pos); }
}

class SyntaxFault extends Error {}
class NestingFault extends Error {}

function readParam(lx: Lexer, quoted: boolean): Piece {
  // Called with lx positioned just after '$'.
  const ch = lx.peek();
  if (ch === '{') {
    lx.next();
    let name = '';
    if (lx.peek() === '#') return skipBraced(lx, 'length expansion ${#...}');
    while (!lx.done() && NAME_CHAR.test(lx.peek()!)) name += lx.next();
    if (!name || !NAME_START.test(name[0]!)) return skipBraced(lx, 'special parameter expansion');
    if (lx.peek() === '}') { lx.next(); return { kind: 'param', name, op: '', word: [], quoted }; }
    let op = '';
    if (lx.peek() === ':') op += lx.next();
    const sign = lx.peek();
    if (sign === '-' || sign === '+') {
      op += lx.next();
      if (lx.depth >= MAX_NESTING) throw new NestingFault(`parameter expansions nest more than ${MAX_NESTING} deep`);
      lx.depth++;
      const word = readPieces(lx, quoted ? 'dq-brace' : 'brace');
      lx.depth--;
      return { kind: 'param', name, op: op as '-' | ':-' | '+' | ':+', word, quoted };
    }
    return skipBraced(lx, `\${${name}${op}...} expansion`);
  }
  if (ch === '(') return { kind: 'unsupported', what: 'command substitution $(...)' };
  if (ch !== undefined && NAME_START.test(ch)) {
    let name = '';
    while (!lx.done() && NAME_CHAR.test(lx.peek()!)) name += lx.next();
    return { kind: 'param', name, op: '', word: [], quoted };
  }
  if (ch !== undefined && /[0-9@*#?$!-]/.test(ch)) {
    lx.next();
    return { kind: 'unsupported', what: `special parameter $${ch}` };
  }
  return { kind: 'text', text: '$', quoted };
}

function skipBraced(lx: Lexer, what: string): Piece {
  let depth = 1;
  while (!lx.done() && depth > 0) {
    const ch = lx.next();
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
  }
  if (depth > 0) throw new SyntaxFault('missing } in parameter expansion');
  return { kind: 'unsupported', what };
}

type Context = 'word' | 'brace' | 'dq-brace';

/** Reads word pieces until an unquoted delimiter for the context. */
function readPieces(lx: Lexer, context: Context): Piece[] {
  const pieces: Piece[] = [];
  const push = (text: string, quoted: boolean) => {
    const last = pieces[pieces.length - 1];
    if (last && last.kind === 'text' && last.quoted === quoted) last.text += text;
    else pieces.push({ kind: 'text', text, quoted });
  };
  const inDq = context === 'dq-brace';
  while (!lx.done()) {
    const ch = lx.peek()!;
    if (context === 'word' && (ch === ' ' || ch === '\t' || ch === '\n' || ch === ';' || OPERATORS.has(ch))) break;
    if (context !== 'word' && ch === '}') { lx.next(); return pieces; }
    if (ch === '\\') {
      lx.next();
      if (lx.done()) { push('\\', false); break; }
      const escaped = lx.next();
      if (escaped === '\n') continue; // line continuation
      if (inDq && !'$`"\\}'.includes(escaped)) push('\\' + escaped, true);
      else push(escaped, true);
      continue;
    }
    if (ch === "'" && !inDq) {
      lx.next();
      const start = lx.line;
      let text = '';
      while (!lx.done() && lx.peek() !== "'") text += lx.next();
      if (lx.done()) throw new SyntaxFault(`unterminated single quote opened on line ${start}`);
      lx.next();
      push(text, true);
      continue;
    }
    if (ch === '"' && !inDq) {
      lx.next();
      const start = lx.line;
      for (;;) {
        if (lx.done()) throw new SyntaxFault(`unterminated double quote opened on line ${start}`);
        const c = lx.next();
        if (c === '"') break;
        if (c === '\\') {
          if (lx.done()) throw new SyntaxFault(`unterminated double quote opened on line ${start}`);
          const e = lx.next();
          if (e === '\n') continue;
          push('$`"\\'.includes(e) ? e : '\\' + e, true);
        } else if (c === '$') {
          pieces.push(readParam(lx, true));
        } else if (c === '`') {
          pieces.push({ kind: 'unsupported', what: 'command substitution `...`' });
          while (!lx.done() && lx.peek() !== '`') lx.next();
          if (lx.done()) throw new SyntaxFault('unterminated backquote');
          lx.next();
        } else {
          push(c, true);
        }
      }
      continue;
    }
    if (ch === '$') {
      lx.next();
      pieces.push(readParam(lx, inDq));
      continue;
    }
    if (ch === '`') {
      lx.next();
      pieces.push({ kind: 'unsupported', what: 'command substitution `...`' });
      while (!lx.done() && lx.peek() !== '`') lx.next();
      if (lx.done()) throw new SyntaxFault('unterminated backquote');
      lx.next();
      continue;
    }
    push(lx.next(), inDq);
  }
  if (context !== 'word') throw new SyntaxFault('missing } in parameter expansion');
  return pieces;
}

/** Splits sh source into simple commands of words. */
export function lexShell(src: string): LexResult {
  const lx = new Lexer(src);
  const commands: Command[] = [];
  let current: Command | null = null;
  const finish = () => {
    if (current && (current.words.length > 0 || current.unsupported)) commands.push(current);
    current = null;
  };
  try {
    while (!lx.done()) {
      const ch = lx.peek()!;
      if (ch === ' ' || ch === '\t') { lx.next(); continue; }
      if (ch === '\n' || ch === ';') { lx.next(); finish(); continue; }
      if (ch === '#') {
        while (!lx.done() && lx.peek() !== '\n') lx.next();
        continue;
      }
      current ??= { line: lx.line, words: [], unsupported: null };
      if (OPERATORS.has(ch)) {
        current.unsupported ??= `the operator '${ch}'`;
        lx.next();
        continue;
      }
      const from = lx.mark();
      const pieces = readPieces(lx, 'word');
      current.words.push({ pieces, raw: lx.slice(from) });
    }
    finish();
    return { commands, syntaxError: null, tooDeep: null };
  } catch (error) {
    if (error instanceof SyntaxFault) {
      // sh parses a whole command before running it, so the broken one never runs.
      return { commands, syntaxError: { line: lx.line, message: error.message }, tooDeep: null };
    }
    if (error instanceof NestingFault) return { commands, syntaxError: null, tooDeep: { line: current?.line ?? lx.line, message: error.message } };
    throw error;
  }
}
