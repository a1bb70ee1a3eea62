/**
 * Secrets (gateway tokens, API keys, proxy passwords) must never leave clawbar:
 * not in human output, JSON, logs, reports or IPC. Two layers do that:
 * name/shape rules decide which values are secret, and a Redactor built from
 * those values scrubs every string that is about to be printed or stored, so a
 * secret that leaks into an error message or a URL is caught too.
 */

export const REDACTED = '[redacted]';

// Name parts that mark a variable as secret. Matched on `_`/`-`/`.` boundaries so
// OPENCLAW_SERVICE_MANAGED_ENV_KEYS (a list of names) stays visible.
const SECRET_NAME = /(^|[_.-])(TOKEN|TOKENS|SECRET|SECRETS|PASSWORD|PASSWD|PASS|PWD_SECRET|APIKEY|API_KEY|KEY|PRIVATE_KEY|CREDENTIAL|CREDENTIALS|AUTH|AUTHORIZATION|COOKIE|BEARER|SESSION|SIGNATURE|DSN)([_.-]|$)/i;
// Names that match the rule above but hold no secret.
const NOT_SECRET = new Set(['SSH_AUTH_SOCK', 'OPENCLAW_SERVICE_MANAGED_ENV_KEYS', 'PWD', 'OLDPWD', 'GPG_AGENT_INFO']);

// Shapes of well-known credentials, recognised whatever the variable is called.
const SECRET_VALUE = [
  /\bsk-[A-Za-z0-9_-]{16,}/,            // OpenAI / Anthropic style keys
  /\bgh[pousr]_[A-Za-z0-9]{20,}/,       // GitHub tokens
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/,     // Slack tokens
  /\bAKIA[0-9A-Z]{16}\b/,               // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{30,}/,           // Google API keys
  /\b\d{8,10}:[A-Za-z0-9_-]{30,}/,      // Telegram bot tokens
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];

/** True when a variable with this name holds a secret by convention. */
export function isSecretName(name: string): boolean {
  if (NOT_SECRET.has(name.toUpperCase())) return false;
  return SECRET_NAME.test(name);
}

/** True when the value itself looks like a credential. */
export function looksSecret(value: string): boolean {
  return SECRET_VALUE.some((pattern) => pattern.test(value));
}

/** Password (and user info) embedded in a URL such as http://user:pass@proxy:3128. */
export function urlCredentials(value: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/@\s]*)@/i.exec(value.trim());
  if (!match?.[1]) return [];
  const userinfo = match[1];
  const colon = userinfo.indexOf(':');
  const password = colon >= 0 ? userinfo.slice(colon + 1) : '';
  const found = new Set<string>();
  if (password) {
    found.add(password);
    try { found.add(decodeURIComponent(password)); } catch { /* keep the raw form only */ }
  }
  return [...found].filter((item) => item.length > 0);
}

/** Replaces the password in every URL's user info, keeping the user name for diagnosis. */
export function redactUrl(value: string): string {
  return value.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]*):([^/@\s]*)@/gi, (_all, scheme: string, user: string, pass: string) =>
    pass ? `${scheme}${user}:${REDACTED}@` : `${scheme}${user}:@`);
}

/** Values of secret-bearing flags on a command line (`--token T`, `--password=P`), which `ps` and plists show. */
export function argumentSecrets(args: string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const match = /^--?([\w-]+)(?:=(.*))?$/.exec(args[i]!);
    // `--auth token` names a mode, not a credential.
    if (!match || match[1] === 'auth' || !isSecretName(match[1]!.replaceAll('-', '_'))) continue;
    const value = match[2] ?? args[i + 1];
    if (value && !value.startsWith('-')) found.push(value);
  }
  return found;
}

export interface RedactedValue {
  value: string;
  redacted: boolean;
}

/**
 * Decides how one environment variable is shown: a secret by name is replaced
 * whole; a URL keeps everything but its password; a value shaped like a key is
 * replaced whole.
 */
export function redactVariable(name: string, value: string): RedactedValue {
  if (value === '') return { value, redacted: false };
  if (isSecretName(name) || looksSecret(value)) return { value: REDACTED, redacted: true };
  const shown = redactUrl(value);
  return { value: shown, redacted: shown !== value };
}

/** The secret fragments inside one variable, for the Redactor's scrub list. */
export function secretFragments(name: string, value: string): string[] {
  if (value === '') return [];
  if (isSecretName(name) || looksSecret(value)) return [value];
  return urlCredentials(value);
}

/**
 * Scrubs known secret values out of any string or JSON-like value. Built from
 * every environment clawbar has read (daemon, shell, config), so a secret is
 * caught even where it was not expected (an error message, a proxy log line).
 */
export class Redactor {
  private readonly secrets: string[] = [];

  /** Registers secret values; fragments shorter than 4 characters are ignored (they would shred ordinary text). */
  add(...values: string[]): this {
    for (const value of values) {
      if (value.length >= 4 && !this.secrets.includes(value)) this.secrets.push(value);
    }
    this.secrets.sort((a, b) => b.length - a.length);
    return this;
  }

  /** Registers every secret found in an environment map. */
  addEnvironment(env: Record<string, string | undefined>): this {
    for (const [name, value] of Object.entries(env)) {
      if (value !== undefined) this.add(...secretFragments(name, value));
    }
    return this;
  }

  text(input: string): string {
    let output = redactUrl(input);
    for (const secret of this.secrets) {
      if (output.includes(secret)) output = output.split(secret).join(REDACTED);
    }
    return output;
  }

  /** Deep copy of a JSON-like value with every string scrubbed. */
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
