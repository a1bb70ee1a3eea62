import type { ProbeResult } from '../api.ts';
import { ms } from '../format.ts';
import type { Navigate } from '../navigate.ts';
import { remedyDisplay } from './remedy.ts';

/** What one probe saw: the error in its layer, the plain explanation, TLS details (kept even when trust failed) and the fix. */
export function ProbeDetails(props: { result: ProbeResult; shell: ProbeResult | null; navigate: Navigate }) {
  const r = props.result;
  const tls = r.tls;
  const { fixText, command, action } = remedyDisplay(r, 'probes');
  return (
    <div class="details" data-testid="probe-details">
      <p class="mono small break">{r.target}</p>
      {r.error && <p class="error-text"><strong>{r.layer}</strong>: {r.error.message}</p>}
      {r.explanation && <p>{r.explanation}</p>}
      <dl class="kv small">
        <dt>via</dt><dd>{r.via}{r.route.proxy ? ` ${r.route.proxy}` : ''} · {r.route.rule}</dd>
        <dt>address</dt><dd>{r.address ?? '—'}{r.family ? ` (IPv${r.family})` : ''}</dd>
        <dt>phases</dt><dd>dns {ms(r.phases.dnsMs)} · connect {ms(r.phases.connectMs)}{r.phases.proxyConnectMs !== null ? ` · proxy ${ms(r.phases.proxyConnectMs)}` : ''} · tls {ms(r.phases.tlsMs)} · first byte {ms(r.phases.ttfbMs)}</dd>
        {r.http && <><dt>HTTP</dt><dd>{r.http.status}{r.http.server ? ` · ${r.http.server}` : ''}</dd></>}
        {tls && <>
          <dt>TLS</dt><dd>{tls.protocol ?? '?'} · {tls.cipher ?? '?'} · {tls.authorized ? 'trusted' : `not trusted (${tls.authorizationError ?? 'unknown'})`}</dd>
          <dt>subject</dt><dd>{tls.subject ?? '—'}</dd>
          <dt>issuer</dt><dd data-testid="tls-issuer">{tls.issuer ?? '—'}</dd>
          <dt>SAN</dt><dd class="break">{tls.san.join(', ') || '—'}</dd>
          <dt>expires</dt><dd>{tls.validTo ?? '—'}{tls.daysToExpiry !== null ? ` (${tls.daysToExpiry} days)` : ''}</dd>
        </>}
        {props.shell && <><dt>your shell</dt><dd>{props.shell.ok ? 'ok' : props.shell.layer} via {props.shell.via}</dd></>}
      </dl>
      {fixText && <p class="fix-text"><strong>Fix:</strong> <span class="mono">{fixText}</span></p>}
      {command && <p class="fix-text"><strong>Run:</strong> <span class="mono" data-testid="remedy-command">{command}</span></p>}
      {action && <button type="button" class="primary" onClick={() => props.navigate(action.view, action.preset)} data-testid="open-fix">{action.preset ? `${action.label}…` : action.label}</button>}
    </div>
  );
}
