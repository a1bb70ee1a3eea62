/**
 * Secrets (gateway tokens, API keys, proxy passwords, webhook URLs) must never
 * leave clawbar: not in human output, JSON, logs, reports or IPC. One policy,
 * three layers:
 *
 * 1. Positions that carry secrets, whatever the value looks like: the value of
 *    a variable, JSON/YAML key, XML plist key, query parameter or command-line
 *    flag whose name says secret (KEY, TOKEN, SECRET, PASS, PW, CRED, AUTH,
 *    WEBHOOK, COOKIE, SESSION, PRIVATE…); URL user info; the path of a webhook
 *    URL; an `Authorization:` or `Bearer` credential; a private key block.
 * 2. Shapes of well-known credentials anywhere in text (OpenAI, Anthropic,
 *    Google, GitHub, GitLab, Slack, Hugging Face, AWS, Stripe, npm, SendGrid,
 *    JWTs, Telegram and Discord bot tokens).
 * 3. Every secret value clawbar has read, registered with a Redactor, in its raw
 *    form and in each escaped form a file or URL gives it (sh quoting, XML, JSON,
 *    percent-encoding), so it is caught where nothing else would recognise it.
 *
 * In doubt a secret-bearing position is redacted (a user name next to a
 * password survives only when it does not look like a token). Every pattern
 * runs in time linear in its input: each starts behind a look-behind that
 * fails inside its own run, and no two adjacent parts match the same characters.
 */

export const REDACTED = '[redacted]';

// ---------------------------------------------------------------- names

/** Whole names that match the rules below but hold no secret. */
const NOT_SECRET = new Set(['PWD', 'OLDPWD', 'SSH_AUTH_SOCK', 'OPENCLAW_SERVICE_MANAGED_ENV_KEYS', 'GPG_AGENT_INFO']);
/** Parts that mark a whole name as a setting about secrets (a limit, a file name, a mode), not a secret. */
const NEUTRAL_PART = new Set(['MAX', 'MIN', 'COUNT', 'LIMIT', 'LIMITS', 'BUDGET', 'USAGE', 'TIMEOUT', 'TTL', 'LENGTH', 'SIZE']);
/** A last part that names where or how a secret is kept, not the secret: TOKEN_FILE, AUTH_MODE. */
const NEUTRAL_LAST = new Set(['FILE', 'FILES', 'PATH', 'DIR', 'MODE', 'TYPE', 'METHOD', 'SCHEME', 'SOCK', 'ENABLED', 'DISABLED']);
/** Words that contain a secret word but are not one. */
const FALSE_FRIENDS = new Set(['AUTHOR', 'AUTHORS', 'TOKENIZER', 'TOKENIZERS', 'BYPASS', 'COMPASS', 'PASSTHROUGH']);
const EXACT_PART = new Set(['KEY', 'PW', 'PWD', 'PAT', 'DSN', 'SIG', 'SALT', 'OTP']);
const CONTAINED = ['TOKEN', 'SECRET', 'WEBHOOK', 'COOKIE', 'SESSION', 'PRIVATE', 'BEARER', 'SIGNATURE', 'PASSWORD', 'PASSWD', 'PASSPHRASE', 'APIKEY'];
/** `<prefix>KEY` words that are keys (APIKEY, SECRETKEY); other `…KEY` words (MONKEY) are not. */
const KEY_PREFIX = new Set(['API', 'ACCESS', 'SECRET', 'PRIVATE', 'PRIV', 'SIGNING', 'SIGN', 'MASTER', 'LICENSE', 'ENCRYPTION', 'ENC', 'CRYPT', 'CRYPTO',
  'SESSION', 'AUTH', 'CLIENT', 'APP', 'DEPLOY', 'SSH', 'GPG', 'PGP', 'HMAC', 'JWT', 'SERVICE', 'ADMIN', 'WRITE', 'READ', 'ROOT', 'TOKEN', 'BOT', 'ACCOUNT', 'PROJECT']);

/** Splits a name into upper-case words on separators and camelCase humps: `openaiApiKey` → OPENAI, API, KEY. */
function nameParts(name: string): string[] {
  const parts: string[] = [];
  let word = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (!/[A-Za-z0-9]/.test(c)) { if (word) parts.push(word); word = ''; continue; }
    const prev = name[i - 1] ?? '';
    const next = name[i + 1] ?? '';
    const hump = /[A-Z]/.test(c) && word !== '' && (/[a-z0-9]/.test(prev) || (/[A-Z]/.test(prev) && /[a-z]/.test(next)));
    if (hump) { parts.push(word); word = ''; }
    word += c;
  }
  if (word) parts.push(word);
  return parts.map((part) => part.toUpperCase());
}

function secretPart(part: string): boolean {
  if (FALSE_FRIENDS.has(part)) return false;
  if (EXACT_PART.has(part)) return true;
  if (CONTAINED.some((word) => part.includes(word))) return true;
  if (part.startsWith('PASS') || part.startsWith('CRED') || part.startsWith('AUTH') || part.endsWith('AUTH')) return true;
  if (part.endsWith('PASS') && part.length <= 8) return true;
  return part.endsWith('KEY') && KEY_PREFIX.has(part.slice(0, -3));
}

/** True when a variable, key, flag or parameter with this name holds a secret by convention. */
export function isSecretName(name: string): boolean {
  if (name.length > 256) return false;
  if (NOT_SECRET.has(name.toUpperCase())) return false;
  const parts = nameParts(name);
  if (parts.length === 0 || NEUTRAL_LAST.has(parts.at(-1)!) || parts.some((part) => NEUTRAL_PART.has(part))) return false;
  return parts.some(secretPart);
}

// ---------------------------------------------------------------- shapes

/** A shape counts when it is not all lower case: `sk-prod-cluster-eu-west` is a host name, `sk-Ab3…` a key. */
const mixed = (text: string) => /[A-Z0-9]/.test(text.slice(3));

interface Shape { pattern: RegExp; accept?: (match: string) => boolean }

/** Well-known credential shapes. Each starts behind a look-behind of its own characters (see the file comment). */
const SHAPES: Shape[] = [
  { pattern: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{16,}/g, accept: mixed }, // OpenAI sk-/sk-proj-, Anthropic sk-ant-
  { pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g }, // GitHub
  { pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}/g }, // GitLab
  { pattern: /(?<![A-Za-z0-9_-])(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}/g }, // Slack
  { pattern: /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}/g }, // Hugging Face
  { pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}(?![A-Za-z0-9])/g }, // AWS key ids
  { pattern: /(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{30,}/g }, // Google API keys
  { pattern: /(?<![A-Za-z0-9_])(?:[sr]k_(?:live|test)|whsec)_[A-Za-z0-9]{16,}/g }, // Stripe
  { pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{30,}/g }, // npm
  { pattern: /(?<![A-Za-z0-9_.-])SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g }, // SendGrid
  { pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g }, // JWT
  { pattern: /(?<![0-9])[0-9]{8,10}:[A-Za-z0-9_-]{30,}/g }, // Telegram bot tokens
  { pattern: /(?<![A-Za-z0-9_-])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_-])/g }, // Discord bot tokens
];

const PRIVATE_KEY_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/g;
const PRIVATE_KEY_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----/g;

/** True when the value holds something shaped like a well-known credential or a private key. */
export function looksSecret(value: string): boolean {
  for (const { pattern, accept } of SHAPES) {
    pattern.lastIndex = 0;
    for (const match of value.matchAll(pattern)) if (!accept || accept(match[0])) return true;
  }
  PRIVATE_KEY_BEGIN.lastIndex = 0;
  return PRIVATE_KEY_BEGIN.test(value);
}

// ---------------------------------------------------------------- positions

type Span = [start: number, end: number];

/** A user name that is itself a credential (`https://ghp_…@github.com`, `oauth2:glpat-…`). */
function tokenLike(text: string): boolean {
  return looksSecret(text) || (text.length >= 20 && /[A-Za-z]/.test(text) && /[0-9]/.test(text));
}

/** Query (and fragment) parameter names that carry credentials beyond what isSecretName says. */
const QUERY_SECRET = new Set(['key', 'code', 'sig', 'sid', 'pass', 'auth', 'session', 'x-amz-credential', 'x-goog-credential']);
const secretParameter = (name: string) => QUERY_SECRET.has(name.toLowerCase()) || isSecretName(name);

/** A path word after which the rest of a URL's path is the credential (Mattermost, Rocket.Chat, Teams, GitLab…). */
const WEBHOOK_PATH = /\/(?:hooks|webhooks?|webhookb2)\//i;
/** Services whose whole URL path is the credential (Slack, Discord, Teams, Zapier, IFTTT, Telegram bots). */
const WEBHOOK_HOST = /(?:^|\.)(?:hooks\.slack\.com|discord(?:app)?\.com|webhook\.office\.com|outlook\.office(?:365)?\.com|hooks\.zapier\.com|maker\.ifttt\.com|api\.telegram\.org)$/i;

// The scheme is bounded, so each start costs at most 33 steps; the authority stops at what never appears raw in one.
const URL_START = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\//g;
const AUTHORITY = /[^\s/?#"<>`]*/y;
const URL_REST = /[^\s"<>`]*/y;

export interface UrlOptions {
  /** Redact every query value, not only credential-named ones (for operator-given URLs such as `--target` or a `baseUrl`). */
  allQuery?: boolean;
}

interface UrlParts {
  /** User name and password spans; the password is null when the user info has no `:`. */
  user: Span | null;
  password: Span | null;
  host: string;
  /** Where path, query and fragment start, and that text. */
  restAt: number;
  rest: string;
}

/** Every URL in `text`, split as the URL parser would: user info runs to the last `@` of the authority. */
function* urls(text: string): Generator<UrlParts> {
  URL_START.lastIndex = 0;
  for (let start = URL_START.exec(text); start; start = URL_START.exec(text)) {
    const authorityAt = start.index + start[0].length;
    AUTHORITY.lastIndex = authorityAt;
    const authority = AUTHORITY.exec(text)![0];
    const restAt = authorityAt + authority.length;
    URL_REST.lastIndex = restAt;
    const rest = URL_REST.exec(text)![0];
    const next = restAt + rest.length;
    // `carol:pa@ss@host` has the password `pa@ss`.
    const at = authority.lastIndexOf('@');
    const colon = at > 0 ? authority.slice(0, at).indexOf(':') : -1;
    yield {
      user: at > 0 ? [authorityAt, authorityAt + (colon < 0 ? at : colon)] : null,
      password: colon >= 0 ? [authorityAt + colon + 1, authorityAt + at] : null,
      host: authority.slice(at + 1).replace(/:\d*$/, '').toLowerCase(),
      restAt,
      rest,
    };
    URL_START.lastIndex = next;
  }
}

/** Secret spans of every URL in `text`: user info, credential query values, webhook paths. */
function urlSpans(text: string, options: UrlOptions, out: Span[]): void {
  for (const { user, password, host, restAt, rest } of urls(text)) {
    // A user name alone is the credential (`https://TOKEN@host`); next to a password it stays unless it looks like one.
    if (user && user[1] > user[0] && (!password || tokenLike(text.slice(user[0], user[1])))) out.push(user);
    if (password && password[1] > password[0]) out.push(password);
    let pathEnd = 0;
    while (pathEnd < rest.length && rest[pathEnd] !== '?' && rest[pathEnd] !== '#') pathEnd++;
    if (WEBHOOK_HOST.test(host)) {
      if (pathEnd > 1) out.push([restAt + 1, restAt + pathEnd]);
    } else {
      const hook = WEBHOOK_PATH.exec(rest.slice(0, pathEnd));
      if (hook && hook.index + hook[0].length < pathEnd) out.push([restAt + hook.index + hook[0].length, restAt + pathEnd]);
    }
    // Query and fragment parameters: `name=value`, separated by & or ;.
    for (let from = pathEnd; from < rest.length;) {
      let end = from + 1;
      while (end < rest.length && rest[end] !== '&' && rest[end] !== ';' && rest[end] !== '#') end++;
      const pair = rest.slice(from + 1, end);
      const eq = pair.indexOf('=');
      if (eq >= 0 && eq + 1 < pair.length && (options.allQuery || secretParameter(pair.slice(0, eq)))) out.push([restAt + from + 2 + eq, restAt + end]);
      from = end;
    }
  }
}

/** One sh word (quoted pieces, escapes, plain characters), as a value is written after `=` or a flag. */
const SH_WORD = /(?:'[^']*'|"(?:[^"\\]|\\[\s\S])*"|\\[\s\S]|[^\s'"\\;|&<>()])+/y;
/** A JSON/JSON5/YAML value: a quoted string or a bare word; `Bearer x` keeps its credential; REDACTED stays whole. */
const KEY_VALUE = /\[redacted\]|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|(?:(?:Bearer|Basic|Digest|Token|Bot)[ \t]+)?[^\s,;}\]]+/y;

function valueSpan(text: string, at: number, pattern: RegExp): Span | null {
  pattern.lastIndex = at;
  const match = pattern.exec(text);
  return match && match[0].length > 0 ? [at, at + match[0].length] : null;
}

// Each names one position; the value is read separately so a non-secret name does not swallow what follows.
const FLAG = /(?<![\w-])--?([A-Za-z][A-Za-z0-9_-]{0,63})(?:=|[ \t]+)/g;
const ASSIGNMENT = /(?<![\w.$-])([A-Za-z_][A-Za-z0-9_]{0,127})=/g;
// A bare key has its colon right after it and a blank or a quote after that, so `auth.example.com:443`
// is a host and port and `token : (` prose, not a key.
const KEY_COLON = /(?<![\w$.-])(?:"([A-Za-z_$][\w$.-]{0,127})"[ \t]*|'([A-Za-z_$][\w$.-]{0,127})'[ \t]*|([A-Za-z_$][\w$.-]{0,127})(?=:[ \t"'])):[ \t]*/g;
const PLIST_KEY = /<key>([^<]{1,256})<\/key>[ \t]*(?:\r?\n[-+ ]?[ \t]*)?<string>([^<]*)<\/string>/gd;
const BEARER = /(?<![A-Za-z0-9_-])[Bb]earer[ \t]+([A-Za-z0-9._~+/=-]{8,})/gd;

/** `--auth token` names the gateway's auth mode, not a credential. */
const secretFlag = (name: string) => name.toLowerCase() !== 'auth' && isSecretName(name.replaceAll('-', '_'));

function positionSpans(text: string, out: Span[]): void {
  // `notValue` spots a value that is the next name instead (`--token --password x`, `token: password: x`):
  // it is left for the next match. Otherwise the scan resumes after the value, which keeps it linear.
  const named = (pattern: RegExp, value: RegExp, accept: (name: string) => boolean, notValue: RegExp) => {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      if (!accept(match[1] ?? match[2] ?? match[3]!)) continue;
      const span = valueSpan(text, pattern.lastIndex, value);
      if (!span || notValue.test(text.slice(span[0], span[1]))) continue;
      out.push(span);
      pattern.lastIndex = span[1];
    }
  };
  named(FLAG, SH_WORD, secretFlag, /^--[A-Za-z]/);
  named(ASSIGNMENT, SH_WORD, isSecretName, /^$/);
  named(KEY_COLON, KEY_VALUE, isSecretName, /^[A-Za-z_$][\w$.-]*:$/);
  for (const pattern of [PLIST_KEY, BEARER]) {
    pattern.lastIndex = 0;
    for (const match of text.matchAll(pattern)) {
      if (pattern === PLIST_KEY && !isSecretName(match[1]!)) continue;
      const [start, end] = match.indices![pattern === PLIST_KEY ? 2 : 1]!;
      if (end > start) out.push([start, end]);
    }
  }
}

function shapeSpans(text: string, out: Span[]): void {
  for (const { pattern, accept } of SHAPES) {
    pattern.lastIndex = 0;
    for (const match of text.matchAll(pattern)) if (!accept || accept(match[0])) out.push([match.index, match.index + match[0].length]);
  }
  // A private key is hidden from its BEGIN line to its END line, or to the end when the END is missing.
  PRIVATE_KEY_BEGIN.lastIndex = 0;
  for (let begin = PRIVATE_KEY_BEGIN.exec(text); begin; begin = PRIVATE_KEY_BEGIN.exec(text)) {
    const from = begin.index + begin[0].length;
    PRIVATE_KEY_END.lastIndex = from;
    const end = PRIVATE_KEY_END.exec(text);
    out.push([from, end ? end.index : text.length]);
    if (!end) break;
    PRIVATE_KEY_BEGIN.lastIndex = end.index + end[0].length;
  }
}

/** Replaces the spans (merged where they overlap) with REDACTED; a span that already is REDACTED stays as it is. */
function applySpans(text: string, spans: Span[]): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = '';
  let copied = 0;
  for (let i = 0; i < spans.length;) {
    let [start, end] = spans[i]!;
    for (i++; i < spans.length && spans[i]![0] < end; i++) end = Math.max(end, spans[i]![1]);
    out += text.slice(copied, start) + REDACTED;
    copied = end;
  }
  return out + text.slice(copied);
}

/** Spans that would change the text: not a bare REDACTED already. */
const changing = (text: string, spans: Span[]) => spans.filter(([start, end]) => text.slice(start, end) !== REDACTED);

// ---------------------------------------------------------------- public helpers

/**
 * Secret fragments of the user info of the URLs in a value, such as the
 * password of http://user:pass@proxy:3128, raw and percent-decoded; the user
 * name too when it is a token or stands alone as one.
 */
export function urlCredentials(value: string): string[] {
  const found = new Set<string>();
  for (const { user, password } of urls(value)) {
    const userText = user ? value.slice(user[0], user[1]) : '';
    const parts = [password ? value.slice(password[0], password[1]) : '', tokenLike(userText) || (!password && userText.length >= MIN_SECRET) ? userText : ''];
    for (const part of parts.filter(Boolean)) {
      found.add(part);
      try { found.add(decodeURIComponent(part)); } catch { /* a broken escape: only the raw form exists */ }
    }
  }
  return [...found].filter((item) => item.length > 0);
}

/**
 * Hides the secret parts of every URL in a value: the password (the user name
 * too when it looks like a token, or when it stands alone), credential query
 * parameters (every query value with `allQuery`) and webhook paths. The rest
 * stays readable for diagnosis.
 */
export function redactUrl(value: string, options: UrlOptions = {}): string {
  let text = value;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const spans: Span[] = [];
    urlSpans(text, options, spans);
    const real = changing(text, spans);
    if (real.length === 0) return text;
    text = applySpans(text, spans);
  }
  return text;
}

/** A long option that is a flag of its own, not the value of the one before it. */
const LONG_FLAG = /^--[a-z][a-z0-9-]*$/;

/** Splits an argument such as an `sh -c` script into words, honouring quotes; linear, no evaluation. */
function shellWords(script: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === "'") {
      const close = script.indexOf("'", i + 1);
      const end = close < 0 ? script.length : close;
      word += script.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      for (i++; i < script.length && script[i] !== '"'; i++) {
        if (script[i] === '\\' && i + 1 < script.length) i++;
        word += script[i];
      }
    } else if (c === '\\' && i + 1 < script.length) {
      word += script[++i];
      inWord = true;
    } else if (/[\s;|&()<>]/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Secret values on a command line, which `ps` and plists show: the values of
 * secret-bearing flags (`--token T`, `--password=P`, also `--token -dash…`),
 * secret assignments (`TOKEN=x`), URL credentials and credential shapes — also
 * inside arguments that are scripts (`sh -c "… --token X"`).
 */
export function argumentSecrets(args: string[]): string[] {
  const found: string[] = [];
  const scan = (words: string[], depth: number) => {
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      const flag = /^--?([A-Za-z][\w-]*)(?:=([\s\S]*))?$/.exec(word);
      if (flag && secretFlag(flag[1]!)) {
        const value = flag[2] ?? words[i + 1];
        if (value && (flag[2] !== undefined || !LONG_FLAG.test(value))) found.push(value);
        if (flag[2] === undefined && value !== undefined && !LONG_FLAG.test(value)) i++;
        continue;
      }
      const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]+)$/.exec(word);
      if (assignment && isSecretName(assignment[1]!)) { found.push(assignment[2]!); continue; }
      found.push(...secretFragments('', word));
      if (depth < 2 && /[\s;|&]/.test(word)) scan(shellWords(word), depth + 1);
    }
  };
  scan(args, 0);
  return [...new Set(found)];
}

export interface RedactedValue {
  value: string;
  redacted: boolean;
}

/**
 * Decides how one environment variable is shown: a secret by name or shape is
 * replaced whole; otherwise the secret positions inside it (URL passwords,
 * credential query values, webhook paths, embedded keys) are.
 */
export function redactVariable(name: string, value: string): RedactedValue {
  if (value === '') return { value, redacted: false };
  if (isSecretName(name) || looksSecret(value)) return { value: REDACTED, redacted: true };
  const shown = STATIC.text(value);
  return { value: shown, redacted: shown !== value };
}

/** The secret fragments inside one variable, for the Redactor's scrub list. */
export function secretFragments(name: string, value: string): string[] {
  if (value === '') return [];
  if (isSecretName(name)) return [value];
  const spans: Span[] = [];
  urlSpans(value, {}, spans);
  positionSpans(value, spans);
  shapeSpans(value, spans);
  const found = new Set<string>();
  for (const [start, end] of spans) {
    const text = value.slice(start, end);
    found.add(text);
    if (/%[0-9A-Fa-f]{2}/.test(text)) {
      try { found.add(decodeURIComponent(text)); } catch { /* a broken escape: only the raw form exists */ }
    }
  }
  return [...found].filter((item) => item.length > 0 && item !== REDACTED);
}

// ---------------------------------------------------------------- the redactor

/** Fixpoint passes: a replacement can expose a position (`X` + `sk-…` becomes `[redacted]sk-…`); a few passes settle it. */
const MAX_PASSES = 4;
/** Fragments shorter than this would shred ordinary text. */
const MIN_SECRET = 4;
/** The memo's bounds: at most this many strings, each at most this long (a few MB at worst). */
const MEMO_ENTRIES = 4096;
const MEMO_MAX_CHARS = 512;

const xmlEscape = (value: string, quotes: boolean) => {
  const base = value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return quotes ? base.replaceAll('"', '&quot;').replaceAll("'", '&apos;') : base;
};

/** The forms a value takes once written into a file, a URL or a JSON string. */
export function escapedForms(value: string): string[] {
  const forms = new Set<string>([value]);
  forms.add(value.replaceAll("'", `'\\''`)); // sh single quotes, as OpenClaw writes env files
  forms.add(value.replace(/[\\"$`]/g, '\\$&')); // sh double quotes
  forms.add(xmlEscape(value, false)); // XML plist text
  forms.add(xmlEscape(value, true));
  forms.add(xmlEscape(value, false).replaceAll('\r', '&#xD;'));
  forms.add(encodeURIComponent(value)); // percent-encoded
  forms.add(new URLSearchParams({ v: value }).toString().slice(2)); // form-encoded
  try {
    const url = new URL('http://h/');
    url.password = value; // the URL parser's own user-info encoding
    forms.add(url.password);
  } catch { /* not every value fits in a URL */ }
  if (/%[0-9A-Fa-f]{2}/.test(value)) {
    try { forms.add(decodeURIComponent(value)); } catch { /* a broken escape: only the raw form exists */ }
  }
  for (const form of [...forms]) {
    forms.add(JSON.stringify(form).slice(1, -1)); // JSON strings (and JSON5 in double quotes)
    forms.add(form.replaceAll('\\', '\\\\').replaceAll("'", "\\'")); // JSON5 single-quoted strings
  }
  return [...forms];
}

/**
 * Scrubs secrets out of any string or JSON-like value: the policy's positions
 * and shapes, and every secret value registered with `add`/`addEnvironment`
 * in each of its escaped forms. Built from every environment clawbar has read
 * (daemon, shell, config), so a secret is caught even where it was not
 * expected (an error message, a proxy log line, a diff of a file).
 */
export class Redactor {
  private readonly secrets: string[] = [];
  /**
   * Strings already scrubbed, for the agent's state: it is redacted whole on
   * every publish, and almost every string in it is the same as last time.
   * Bounded; emptied whenever a secret is added (an answer may change).
   */
  private readonly memo = new Map<string, string>();

  /** Registers secret values (and their escaped forms); fragments shorter than 4 characters are ignored. */
  add(...values: string[]): this {
    for (const value of values) {
      if (value.length < MIN_SECRET) continue;
      for (const form of escapedForms(value)) {
        // A fragment of REDACTED itself would make redaction undo itself.
        if (form.length >= MIN_SECRET && !REDACTED.includes(form) && !this.secrets.includes(form)) this.secrets.push(form);
      }
    }
    this.secrets.sort((a, b) => b.length - a.length);
    this.memo.clear();
    return this;
  }

  /** Registers every secret found in an environment map. */
  addEnvironment(env: Record<string, string | undefined>): this {
    for (const [name, value] of Object.entries(env)) {
      if (value !== undefined) this.add(...secretFragments(name, value));
    }
    return this;
  }

  /** Registers the secrets of a command line (flags, assignments, `sh -c` scripts). */
  addArguments(args: string[]): this {
    return this.add(...argumentSecrets(args));
  }

  text(input: string, options: UrlOptions = {}): string {
    const memo = !options.allQuery && input.length <= MEMO_MAX_CHARS;
    if (memo) {
      const known = this.memo.get(input);
      if (known !== undefined) return known;
    }
    const scrubbed = this.scrub(input, options);
    if (memo) {
      if (this.memo.size >= MEMO_ENTRIES) this.memo.delete(this.memo.keys().next().value!);
      this.memo.set(input, scrubbed);
    }
    return scrubbed;
  }

  private scrub(input: string, options: UrlOptions): string {
    let text = input;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const spans: Span[] = [];
      for (const secret of this.secrets) {
        for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) spans.push([at, at + secret.length]);
      }
      urlSpans(text, options, spans);
      positionSpans(text, spans);
      shapeSpans(text, spans);
      if (changing(text, spans).length === 0) return text;
      text = applySpans(text, spans);
    }
    return text;
  }

  /** Deep copy of a JSON-like value with every string (and key) scrubbed. */
  deep<T>(input: T): T {
    if (typeof input === 'string') return this.text(input) as T;
    if (Array.isArray(input)) return input.map((item) => this.deep(item)) as T;
    if (input && typeof input === 'object' && Object.getPrototypeOf(input) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(input)) out[this.text(key)] = this.deep(value);
      return out as T;
    }
    return input;
  }
}

/** The policy without registered values, for one-off decisions. */
const STATIC = new Redactor();
