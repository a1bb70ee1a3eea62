import type { FixPreset } from '../navigate.ts';
import type { FixKind, FixRequest } from '../types.ts';
import { FIX_LABEL } from './remedy.ts';

export const FIX_CHOICES: Array<{ kind: FixKind; title: string; what: string }> = [
  { kind: 'ca', title: FIX_LABEL.ca, what: "For a TLS-inspecting proxy: the gateway gets the CA in its own bundle (NODE_EXTRA_CA_CERTS), or the System keychain." },
  { kind: 'proxy', title: FIX_LABEL.proxy, what: "Gives the gateway the proxy your network needs, with NO_PROXY keeping loopback direct." },
  { kind: 'bind', title: FIX_LABEL.bind, what: 'Sets gateway.bind back to loopback so only this Mac can reach the gateway.' },
  { kind: 'clock', title: FIX_LABEL.clock, what: 'Steps the clock from NTP now and keeps network time on.' },
];

export interface FixFields { cert: string; scope: 'gateway' | 'system'; url: string; noProxy: string; server: string }
const EMPTY_FIELDS: FixFields = { cert: '', scope: 'gateway', url: '', noProxy: 'localhost,127.0.0.1,::1', server: '' };

/** The form as a remedy leaves it: what the diagnosis knows filled in, the rest for the operator. */
export function presetFields(preset: FixPreset | null): FixFields {
  return { ...EMPTY_FIELDS, ...(preset && 'request' in preset ? preset.request : {}) };
}

/** The request for the chosen fix, or why it cannot be sent yet. */
export function requestFor(kind: FixKind, f: FixFields): FixRequest | string {
  if (kind === 'ca') return f.cert.trim() ? { kind, cert: f.cert.trim(), scope: f.scope } : 'Enter the path of the CA certificate (PEM).';
  if (kind === 'proxy') {
    try { new URL(f.url.trim()); } catch { return 'Enter the proxy URL, e.g. http://proxy.corp:3128'; }
    return { kind, url: f.url.trim(), ...(f.noProxy.trim() ? { noProxy: f.noProxy.trim() } : {}) };
  }
  if (kind === 'clock') return f.server.trim() ? { kind, server: f.server.trim() } : { kind };
  return { kind };
}

/** The inputs the chosen fix needs. */
export function FixInputs(props: { kind: FixKind; fields: FixFields; onChange: (fields: FixFields) => void }) {
  const { kind, fields, onChange } = props;
  const set = (key: keyof FixFields) => (event: Event) => onChange({ ...fields, [key]: (event.currentTarget as HTMLInputElement).value });
  if (kind === 'ca') {
    return (
      <div class="form">
        <label>CA certificate file (PEM)<input type="text" class="mono" value={fields.cert} onInput={set('cert')} placeholder="/Users/you/corp-inspection-ca.pem" data-testid="fix-cert" spellcheck={false} /></label>
        <fieldset class="inline">
          <legend>Trust it for</legend>
          <label><input type="radio" name="scope" checked={fields.scope === 'gateway'} onChange={() => onChange({ ...fields, scope: 'gateway' })} /> the gateway only</label>
          <label><input type="radio" name="scope" checked={fields.scope === 'system'} onChange={() => onChange({ ...fields, scope: 'system' })} /> the whole Mac</label>
        </fieldset>
      </div>
    );
  }
  if (kind === 'proxy') {
    return (
      <div class="form">
        <label>Proxy URL<input type="text" class="mono" value={fields.url} onInput={set('url')} placeholder="http://user:password@proxy.corp:3128" spellcheck={false} /></label>
        <label>Go direct for (NO_PROXY)<input type="text" class="mono" value={fields.noProxy} onInput={set('noProxy')} spellcheck={false} /></label>
      </div>
    );
  }
  if (kind === 'clock') {
    return <div class="form"><label>Time server (optional)<input type="text" class="mono" value={fields.server} onInput={set('server')} placeholder="time.apple.com" spellcheck={false} /></label></div>;
  }
  return <p class="muted small">No input needed: the gateway's config file is changed and the gateway restarted.</p>;
}
