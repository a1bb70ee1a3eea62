/**
 * The probe command a network team can rerun from a ticket: plain curl with
 * the same route, pin, server name and CA the probe used, timed per phase
 * like the probe's own phases. Never carries a secret: a proxy password is
 * read from $PROXY_PASSWORD when the command runs.
 */

export interface CurlSpec {
  url: string;
  /** Expected TLS server name when it differs from the URL's host. */
  sni: string | null;
  /** curl --resolve addresses (comma-separated), used only for a direct connection. */
  pin: string | null;
  via: 'direct' | 'proxy';
  /** The proxy URL as used (its password may be redacted; only the user name is kept). */
  proxy: string | null;
  /** PEM bundle the daemon adds to its trust (NODE_EXTRA_CA_CERTS). */
  caFile: string | null;
}

export const PROXY_PASSWORD_VARIABLE = 'PROXY_PASSWORD';
const WRITE_OUT = 'dns=%{time_namelookup} connect=%{time_connect} tls=%{time_appconnect} ttfb=%{time_starttransfer} total=%{time_total} http=%{http_code}';

/** Single-quotes a word for /bin/sh unless it is made only of characters the shell leaves alone. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Inside double quotes only these four keep a meaning to sh. */
const doubleQuoted = (text: string) => text.replace(/[\\"$`]/g, (c) => `\\${c}`);

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');
const portOf = (url: URL) => Number(url.port) || (url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80);
const bracket = (address: string) => (address.includes(':') ? `[${address}]` : address);

/** The curl command line for one target, as a single shell-safe string. */
export function curlCommand(spec: CurlSpec): string {
  const url = new URL(spec.url.replace(/^ws/, 'http'));
  const host = hostOf(url);
  const port = portOf(url);
  const words = ['curl', '-sS', '-o', '/dev/null', '--max-time', '15', '-w', shellQuote(`${WRITE_OUT}${spec.via === 'proxy' ? ' proxy_connect=%{http_connect}' : ''}\\n`)];
  if (url.protocol === 'https:' && spec.caFile) words.push('--cacert', shellQuote(spec.caFile));
  if (spec.via === 'proxy' && spec.proxy) {
    const proxy = new URL(spec.proxy);
    words.push('--proxy', shellQuote(`${proxy.protocol}//${proxy.host}`));
    if (proxy.username) {
      // A broken escape is passed on as written: curl takes the user name literally, and the command must still print.
      let user = proxy.username;
      try { user = decodeURIComponent(proxy.username); } catch { /* keep the raw form */ }
      words.push('--proxy-user', proxy.password ? `"${doubleQuoted(user)}:$${PROXY_PASSWORD_VARIABLE}"` : shellQuote(`${user}:`));
    }
  } else {
    // Direct for the daemon means direct here too, whatever proxy the rerunning shell has.
    words.push('--noproxy', shellQuote('*'));
    if (spec.pin) words.push('--resolve', shellQuote(`${bracket(host)}:${port}:${spec.pin.split(',').map(bracket).join(',')}`));
  }
  let target = url.href;
  if (url.protocol === 'https:' && spec.sni && spec.sni !== host) {
    // curl takes the server name from the URL: ask for the SNI name, connect to the host, keep the host's Host header.
    words.push('--connect-to', shellQuote(`${bracket(spec.sni)}:${port}:${bracket(host)}:${port}`), '-H', shellQuote(`Host: ${url.host}`));
    const renamed = new URL(url.href);
    renamed.hostname = spec.sni;
    target = renamed.href;
  }
  words.push(shellQuote(target));
  return words.join(' ');
}
