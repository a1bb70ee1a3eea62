import { api, type EnvReport } from '../api.ts';
import { Badge } from '../components/badge.tsx';
import { SkeletonRows } from '../components/skeleton.tsx';
import { useLoad } from '../hooks.ts';

/** The daemon's effective environment with the source of every variable, and how it differs from your shell. */
export function EnvironmentView() {
  const { data: env, error, reload } = useLoad<EnvReport>(() => api.getEnvironment());
  const drift = env?.launchd.drift ?? [];
  const restartFinding = env?.findings.find((f) => f.id === 'launchd.drift');
  return (
    <div class="stack">
      <div class="toolbar">
        <span class="grow muted small ellipsis" title={env?.service?.plistPath ?? ''}>{env ? (env.service ? `${env.service.label ?? 'service'} · ${env.service.layout}` : 'No gateway service found') : 'Reading the service…'}</span>
        <button type="button" class="secondary small" onClick={reload}>Reload</button>
      </div>
      {error && <p class="error-text">{error}</p>}
      {(drift.length > 0 || restartFinding) && (
        <div class="banner tone-warn" role="alert" data-testid="drift-warning">
          <strong>Restart needed.</strong> The running gateway does not have what the files say:
          <ul>{drift.map((d) => <li key={d.what}>{d.what}: {d.detail}</li>)}</ul>
        </div>
      )}
      <section class="card" aria-labelledby="shell-title">
        <h2 id="shell-title">Your shell vs the daemon</h2>
        {!env ? <SkeletonRows rows={2} /> : env.shellDiff.length === 0 ? <p class="muted small">Proxy, CA and PATH settings match.</p> : (
          <div class="table compact" role="table">
            <div class="row head" role="row"><span class="c-name">variable</span><span class="grow">your shell</span><span class="grow">the daemon</span></div>
            {env.shellDiff.map((d) => (
              <div class="row" role="row" key={d.name}>
                <span class="c-name mono ellipsis" title={d.name}>{d.name}</span>
                <span class="grow mono ellipsis" title={d.shell ?? 'unset'}>{d.shell ?? <em class="muted">unset</em>}</span>
                <span class="grow mono ellipsis" title={d.daemon ?? 'unset'}>{d.daemon ?? <em class="muted">unset</em>}</span>
              </div>
            ))}
          </div>
        )}
      </section>
      <section class="card" aria-labelledby="vars-title">
        <h2 id="vars-title">Daemon variables {env ? <span class="muted small">({env.environment.variables.length})</span> : null}</h2>
        {!env ? <SkeletonRows rows={8} height={22} /> : (
          <div class="table compact" role="table" aria-label="Daemon variables">
            {env.environment.variables.map((v) => (
              <div class="row" role="row" key={v.name} data-var={v.name}>
                <span class="c-name mono ellipsis" title={v.name}>{v.name}</span>
                <span class="grow mono ellipsis" title={v.redacted ? 'secret, not shown' : v.value}>{v.redacted ? <Badge tone="info">redacted</Badge> : v.value}</span>
                <span class="c-src"><Badge tone="unknown" title={v.overrides.length ? `overrides ${v.overrides.join(', ')}` : undefined}>{v.source}</Badge></span>
              </div>
            ))}
          </div>
        )}
      </section>
    </div>
  );
}
