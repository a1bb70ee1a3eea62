/**
 * Parsers for `lsof` listener output. The field form (`-F pcuLftPnT`) is
 * preferred — one field per line, nothing truncated; the column form is what
 * operators paste into tickets (COMMAND cut to 9 characters, spaces escaped as
 * \x20). Both are bounded so hostile output cannot exhaust memory.
 */

export interface RawListener {
  command: string;
  pid: number;
  user: string | null;
  family: 4 | 6 | null;
  /** `127.0.0.1`, `::1`, `*`, `fe80::1%en0`... (brackets removed) */
  address: string;
  port: number;
}

export const MAX_LISTENER_LINES = 200_000;
export const MAX_LISTENERS = 20_000;

/**
 * Drops a trailing ` (LISTEN)` state. By hand: the pattern `\s*\(.*\)$` is
 * retried from every blank and every `(`, quadratic on a hostile NAME.
 */
function withoutState(name: string): string {
  if (!name.endsWith(')')) return name;
  let lineStart = name.length;
  while (lineStart > 0 && !/[\n\r\u2028\u2029]/.test(name[lineStart - 1]!)) lineStart--;
  let open = name.indexOf('(', lineStart);
  if (open < 0) return name;
  while (open > 0 && /\s/.test(name[open - 1]!)) open--;
  return name.slice(0, open);
}

/** Splits lsof's NAME (`127.0.0.1:80`, `[::1]:80`, `*:80`) into address and port. */
export function splitName(name: string): { address: string; port: number } | null {
  const local = withoutState(name.split('->')[0]!);
  const match = /^(\[[^\]]+\]|[^\s]+):(\d{1,5})$/.exec(local);
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return null;
  return { address: match[1]!.replace(/^\[|\]$/g, ''), port };
}

const familyOf = (type: string | undefined): 4 | 6 | null => (type === 'IPv4' ? 4 : type === 'IPv6' ? 6 : null);

/** Decodes lsof's `\xNN` escapes in command names. */
export const unescapeLsof = (text: string) => text.replace(/\\x([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

/** Parses `lsof -F pcuLftPnT` output, keeping only TCP sockets in LISTEN. */
export function parseLsofFields(text: string): RawListener[] {
  const out: RawListener[] = [];
  let proc: { pid: number; command: string; user: string | null } | null = null;
  let file: { family: 4 | 6 | null; name: string | null; listen: boolean; protocol: string | null } | null = null;
  const flush = () => {
    if (proc && file?.name && file.listen && (file.protocol === null || file.protocol === 'TCP') && out.length < MAX_LISTENERS) {
      const split = splitName(file.name);
      if (split) out.push({ command: proc.command, pid: proc.pid, user: proc.user, family: file.family ?? (split.address.includes(':') ? 6 : null), ...split });
    }
    file = null;
  };
  let lines = 0;
  for (const line of text.split('\n')) {
    if (++lines > MAX_LISTENER_LINES) break;
    const tag = line[0];
    const value = line.slice(1);
    if (tag === 'p') { flush(); proc = { pid: Number(value), command: '', user: null }; }
    else if (tag === 'c' && proc) proc.command = unescapeLsof(value);
    else if ((tag === 'L' || (tag === 'u' && proc && proc.user === null)) && proc) proc.user = value;
    else if (tag === 'f') { flush(); file = { family: null, name: null, listen: false, protocol: null }; }
    else if (tag === 't' && file) file.family = familyOf(value);
    else if (tag === 'P' && file) file.protocol = value;
    else if (tag === 'n' && file) file.name = value;
    else if (tag === 'T' && file && value === 'ST=LISTEN') file.listen = true;
  }
  flush();
  return out;
}

/** Parses the column form of `lsof -nP -iTCP -sTCP:LISTEN` (with or without its header). */
export function parseLsofColumns(text: string): RawListener[] {
  const out: RawListener[] = [];
  let lines = 0;
  for (const line of text.split('\n')) {
    if (++lines > MAX_LISTENER_LINES || out.length >= MAX_LISTENERS) break;
    if (!/\(LISTEN\)\s*$/.test(line)) continue;
    const cols = line.trim().split(/\s+/);
    // COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME (LISTEN)
    if (cols.length < 10 || !/^\d+$/.test(cols[1]!)) continue;
    const split = splitName(cols[cols.length - 2]!);
    if (!split || cols[cols.length - 3] !== 'TCP') continue;
    out.push({ command: unescapeLsof(cols[0]!), pid: Number(cols[1]), user: cols[2]!, family: familyOf(cols[4]), ...split });
  }
  return out;
}
