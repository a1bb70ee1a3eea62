import { DOMParser } from '@xmldom/xmldom';
import { parse as parsePlist, parseBinary } from 'plist';
import { z } from 'zod';
import { InputError } from '../system/errors.ts';
import { readBoundedFile } from '../system/files.ts';

/** The launchd keys clawbar reads; everything else in the plist is kept but ignored. */
export interface LaunchdJob {
  label: string | null;
  program: string | null;
  programArguments: string[] | null;
  environmentVariables: Record<string, string>;
  workingDirectory: string | null;
  userName: string | null;
  standardOutPath: string | null;
  standardErrorPath: string | null;
  keepAlive: boolean | Record<string, unknown> | null;
  runAtLoad: boolean | null;
  format: 'xml' | 'binary';
  /** Keys present with a type launchd rejects: each becomes a critical finding. */
  problems: string[];
}

const BINARY_MAGIC = 'bplist00';
/** Real launchd jobs are a few KB; readBoundedFile refuses bigger files and so does the parser. */
export const MAX_PLIST_BYTES = 4 * 1024 * 1024;
/** Characters XML 1.0 cannot carry at all, not even as `&#1;`. */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const MAX_DEPTH = 256;

/** Elements nest this deep at most in a launchd job (dict in dict in array…); hostile depth costs xmldom super-linear time. */
const MAX_XML_DEPTH = 64;

/**
 * Why the XML cannot be a plist, from one linear pass over its tags, before
 * xmldom sees it: xmldom's error recovery is super-linear on text such as
 * `<a<a<a…` (a tag opened inside a tag) and on deep nesting.
 */
function xmlShapeProblem(text: string): string | null {
  let depth = 0;
  for (let at = text.indexOf('<'); at >= 0; at = text.indexOf('<', at + 1)) {
    const skip = (close: string) => { const end = text.indexOf(close, at); return end < 0 ? -1 : end + close.length - 1; };
    let end: number;
    if (text.startsWith('<!--', at)) end = skip('-->');
    else if (text.startsWith('<![CDATA[', at)) end = skip(']]>');
    else if (text.startsWith('<?', at)) end = skip('?>');
    else {
      end = text.indexOf('>', at);
      const nextOpen = text.indexOf('<', at + 1);
      if (end >= 0 && nextOpen >= 0 && nextOpen < end && !text.startsWith('<!DOCTYPE', at)) return `a tag opens inside another tag at offset ${at}`;
      if (text.startsWith('<!DOCTYPE', at) && text[end - 1] !== ']' && text.lastIndexOf('[', end) > at) end = skip(']>');
      else if (end >= 0 && text[at + 1] === '/') depth--;
      else if (end >= 0 && text[at + 1] !== '!' && text[end - 1] !== '/' && ++depth > MAX_XML_DEPTH) return `elements nest more than ${MAX_XML_DEPTH} deep`;
    }
    if (end < 0) return `a tag at offset ${at} is never closed`;
    at = end;
  }
  return null;
}

/**
 * The first key or string of a parsed XML plist holding a character XML 1.0
 * forbids, as `where` and the code point. xmldom lets such characters through
 * (raw or as `&#1;`), but such a file cannot be written back as XML, so it is
 * refused on reading instead of failing later in a fix. Iterative, so a deep
 * plist costs no stack.
 */
function forbiddenCharacter(root: unknown): { where: string; code: string } | null {
  const pending: Array<{ value: unknown; where: string; depth: number }> = [{ value: root, where: '', depth: 0 }];
  const found = (text: string) => {
    const match = NOT_XML_CHAR.exec(text);
    return match ? `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : null;
  };
  while (pending.length > 0) {
    const { value, where, depth } = pending.pop()!;
    if (typeof value === 'string') {
      const code = found(value);
      if (code) return { where: where || 'the top level', code };
    } else if (value && typeof value === 'object' && !(value instanceof Date) && !ArrayBuffer.isView(value) && depth < MAX_DEPTH) {
      for (const [key, item] of Object.entries(value)) {
        const label = Array.isArray(value) ? `${where}[${key}]` : `${where}${where ? '.' : ''}${JSON.stringify(key).slice(1, -1)}`;
        const code = Array.isArray(value) ? null : found(key);
        if (code) return { where: `the key ${label}`, code };
        pending.push({ value: item, where: label, depth: depth + 1 });
      }
    }
  }
  return null;
}

/** Parses plist bytes (XML or binary). Throws InputError when they are not a plist at all. */
export function parsePlistBytes(bytes: Buffer, path: string): { value: unknown; format: 'xml' | 'binary' } {
  if (bytes.length > MAX_PLIST_BYTES) throw new InputError(`${path} is ${bytes.length} bytes, larger than the ${MAX_PLIST_BYTES}-byte limit for a launchd plist`, path);
  if (bytes.subarray(0, 6).toString('latin1') === 'bplist') {
    try {
      return { value: parseBinary(new Uint8Array(bytes)), format: 'binary' };
    } catch (error) {
      throw new InputError(`${path} is not a valid binary plist: ${(error as Error).message}`, path);
    }
  }
  const text = bytes.toString('utf8');
  if (!/^\s*(<\?xml|<!DOCTYPE|<plist)/.test(text.replace(/^\uFEFF/, ''))) {
    throw new InputError(`${path} is neither an XML nor a binary (${BINARY_MAGIC}) plist`, path);
  }
  const shape = xmlShapeProblem(text);
  if (shape) throw new InputError(`${path} is not well-formed XML: ${shape}`, path);
  // xmldom is lenient and only logs; a strict pass first turns any XML error
  // into a clear message (launchd itself refuses such a file).
  const errors: string[] = [];
  const strict = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message.split('\n')[0]!.trim());
    },
  });
  try {
    strict.parseFromString(text, 'text/xml');
  } catch (error) {
    errors.push((error as Error).message.split('\n')[0]!.trim());
  }
  if (errors.length > 0) throw new InputError(`${path} is not well-formed XML: ${errors[0]}`, path);
  let value: unknown;
  try {
    value = parsePlist(text);
  } catch (error) {
    throw new InputError(`${path} is not a valid plist: ${(error as Error).message.split('\n')[0]}`, path);
  }
  const bad = forbiddenCharacter(value);
  // The value itself is never quoted: it may be a token.
  if (bad) throw new InputError(`${path} is not a valid XML plist: ${bad.where} holds the control character ${bad.code}, which XML does not allow`, path);
  return { value, format: 'xml' };
}

const optionalString = z.string().nullable().catch(null);

function readJob(value: unknown, format: 'xml' | 'binary', path: string): LaunchdJob {
  if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof Date || value instanceof Uint8Array) {
    throw new InputError(`${path} is a plist but not a launchd job: its top level is ${Array.isArray(value) ? 'an array' : typeof value}, not a dictionary`, path);
  }
  const dict = value as Record<string, unknown>;
  const problems: string[] = [];
  const text = (key: string): string | null => {
    if (!(key in dict)) return null;
    const parsed = optionalString.parse(dict[key]);
    if (parsed === null) problems.push(`${key} must be a string`);
    return parsed;
  };
  let programArguments: string[] | null = null;
  if ('ProgramArguments' in dict) {
    const parsed = z.array(z.string()).safeParse(dict.ProgramArguments);
    if (parsed.success) programArguments = parsed.data;
    else problems.push('ProgramArguments must be an array of strings');
  }
  const environmentVariables: Record<string, string> = {};
  if ('EnvironmentVariables' in dict) {
    const env = dict.EnvironmentVariables;
    if (env && typeof env === 'object' && !Array.isArray(env)) {
      for (const [key, item] of Object.entries(env as Record<string, unknown>)) {
        if (typeof item === 'string') environmentVariables[key] = item;
        else problems.push(`EnvironmentVariables.${key} must be a string (launchd ignores it)`);
      }
    } else {
      problems.push('EnvironmentVariables must be a dictionary');
    }
  }
  const bool = (key: string): boolean | null => {
    if (!(key in dict)) return null;
    if (typeof dict[key] === 'boolean') return dict[key] as boolean;
    problems.push(`${key} must be a boolean`);
    return null;
  };
  let keepAlive: LaunchdJob['keepAlive'] = null;
  if ('KeepAlive' in dict) {
    const item = dict.KeepAlive;
    if (typeof item === 'boolean' || (item && typeof item === 'object' && !Array.isArray(item))) keepAlive = item as LaunchdJob['keepAlive'];
    else problems.push('KeepAlive must be a boolean or a dictionary');
  }
  const label = text('Label');
  if (label === null && !problems.includes('Label must be a string')) problems.push('Label is missing (launchd will not load the job)');
  const program = text('Program');
  if (!program && !programArguments?.length && !problems.some((p) => p.startsWith('ProgramArguments'))) {
    problems.push('neither Program nor ProgramArguments is set (launchd has nothing to run)');
  }
  return {
    label,
    program,
    programArguments,
    environmentVariables,
    workingDirectory: text('WorkingDirectory'),
    userName: text('UserName'),
    standardOutPath: text('StandardOutPath'),
    standardErrorPath: text('StandardErrorPath'),
    keepAlive,
    runAtLoad: bool('RunAtLoad'),
    format,
    problems,
  };
}

/** Reads and parses a launchd plist file. InputError when it cannot be read or is not a plist dictionary. */
export async function readLaunchdJob(path: string): Promise<LaunchdJob> {
  const bytes = await readBoundedFile(path);
  const { value, format } = parsePlistBytes(bytes, path);
  return readJob(value, format, path);
}
