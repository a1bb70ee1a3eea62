import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Paths to the PEM files of one issued leaf. */
export interface IssuedCert {
  cert: string;
  key: string;
  /** Leaf followed by the CA, for servers that must send the whole chain. */
  chain: string;
}

export interface IssueOptions {
  /** `DNS:`/`IP:` prefixed entries are used as is; bare names become DNS, bare addresses become IP. */
  sans: string[];
  /** Validity from now when notBefore/notAfter are not given; default 30. */
  days?: number;
  /** In the future for a not-yet-valid leaf. */
  notBefore?: Date;
  /** In the past for an expired leaf. */
  notAfter?: Date;
  /** Defaults to the first SAN without its prefix. */
  cn?: string;
}

/** A throwaway CA whose key lives in a test directory. */
export interface Pki {
  caCert: string;
  caKey: string;
  issue(name: string, opts: IssueOptions): Promise<IssuedCert>;
}

const DAY_MS = 86_400_000;

/** `openssl ca` wants YYYYMMDDHHMMSSZ in UTC. */
function asn1Time(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

function sanEntry(san: string): string {
  if (/^(DNS|IP|URI|email):/i.test(san)) return san;
  return /^[\d.]+$/.test(san) || san.includes(':') ? `IP:${san}` : `DNS:${san}`;
}

/** Keeps subjects free of characters the `-subj` syntax treats specially. */
function subjectValue(value: string): string {
  return value.replace(/[/\\=+,]/g, ' ');
}

/** A minimal `openssl ca` config; nothing is read from the system openssl.cnf. */
function caConfig(dir: string): string {
  return `[ ca ]
default_ca = test_ca
[ test_ca ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = placeholder
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;
}

/**
 * Makes a private CA with the `openssl` CLI. `openssl ca` is used for every
 * signature because OpenSSL 3.0's `x509 -req` cannot set an arbitrary
 * notBefore, which the expired and not-yet-valid leaves need. The CA itself
 * is backdated a year so leaves with past dates still chain to a CA that was
 * valid at the time, and so a client whose clock lags sees the leaf error.
 * Keys are P-256: fast to make, and accepted by every TLS version nginx offers.
 */
export async function makePki(dir: string, options: { caName?: string; caNotBefore?: Date; caNotAfter?: Date } = {}): Promise<Pki> {
  const caName = subjectValue(options.caName ?? 'Corp Inspection CA');
  await mkdir(join(dir, 'newcerts'), { recursive: true });
  const config = join(dir, 'ca.cnf');
  await writeFile(config, caConfig(dir));
  await writeFile(join(dir, 'index.txt'), '');
  await writeFile(join(dir, 'serial'), '1000\n');
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  const caCsr = join(dir, 'ca.csr');
  await run('openssl', ['req', '-new', '-config', config, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', caKey, '-out', caCsr, '-subj', `/CN=${caName}/O=${caName}`]);
  const now = Date.now();
  await run('openssl', ['ca', '-batch', '-config', config, '-selfsign', '-keyfile', caKey, '-in', caCsr, '-out', caCert, '-notext',
    '-extensions', 'v3_ca', '-startdate', asn1Time(options.caNotBefore ?? new Date(now - 365 * DAY_MS)), '-enddate', asn1Time(options.caNotAfter ?? new Date(now + 3650 * DAY_MS))]);

  // `openssl ca` keeps its serial and index in files, so signatures must not overlap.
  let queue: Promise<unknown> = Promise.resolve();
  const issueOne = async (name: string, opts: IssueOptions): Promise<IssuedCert> => {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`certificate name must be a plain file name: ${name}`);
    if (opts.sans.length === 0) throw new Error('a leaf needs at least one SAN');
    const base = join(dir, name);
    const [key, csr, cert, chain, ext] = ['key', 'csr', 'crt', 'chain.pem', 'ext'].map((suffix) => `${base}.${suffix}`) as [string, string, string, string, string];
    const cn = subjectValue(opts.cn ?? opts.sans[0]!.replace(/^[A-Za-z]+:/, ''));
    await writeFile(ext, `[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = ${opts.sans.map(sanEntry).join(', ')}
`);
    await run('openssl', ['req', '-new', '-config', config, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`]);
    const start = opts.notBefore ?? new Date(Date.now() - 60_000);
    const end = opts.notAfter ?? new Date(start.getTime() + (opts.days ?? 30) * DAY_MS);
    await run('openssl', ['ca', '-batch', '-config', config, '-cert', caCert, '-keyfile', caKey, '-in', csr, '-out', cert, '-notext',
      '-extfile', ext, '-extensions', 'leaf', '-startdate', asn1Time(start), '-enddate', asn1Time(end)]);
    await writeFile(chain, `${(await readFile(cert, 'utf8')).trim()}\n${(await readFile(caCert, 'utf8')).trim()}\n`);
    return { cert, key, chain };
  };
  return {
    caCert,
    caKey,
    issue(name, opts) {
      const next = queue.then(() => issueOne(name, opts));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
