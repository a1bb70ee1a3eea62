import type { AgentState } from '../api.ts';
import { Badge } from '../components/badge.tsx';
import type { Navigate } from '../navigate.ts';

type Edges = NonNullable<AgentState['edges']>;
type Verdict = NonNullable<AgentState['verdict']>;

/** The tile's one line for a down gateway: the verdict's cause in two words. */
export const CAUSE_WORDS: Record<Verdict['cause'], string> = {
  'not-loaded': 'not loaded', 'spawn-failed': 'spawn failed', 'env-rejected': 'env file rejected', 'not-executable': 'node missing', 'crash-loop': 'crash loop',
  exited: 'not running', 'port-held': 'port taken', 'not-listening': 'not listening', wedged: 'wedged', asleep: 'Mac sleeps', 'local-network': 'LAN blocked', unknown: 'no answer',
};

/** Why the gateway is down: the verdict's line, its action and the command, as `clawbar status` prints them. */
export function VerdictBlock(props: { verdict: Verdict }) {
  const v = props.verdict;
  return (
    <div class="verdict tone-critical" data-testid="down-verdict" role="status">
      <strong class="verdict-line">{v.line}</strong>
      <span class="small">{v.action}</span>
      {v.remedy.command && <span class="mono small break">run: {v.remedy.command}</span>}
    </div>
  );
}

/** Every way in, counted: edges and what their tests found, remote paths, the tree's exposed listeners, Bonjour. */
export function EdgesCard(props: { edges: Edges | null | undefined; navigate: Navigate }) {
  const e = props.edges;
  if (!e) return null;
  const exposedTree = e.tree.filter((t) => t.role !== 'gateway' && t.exposure !== 'loopback').length;
  const remote = e.remote.filter((r) => r.toGateway);
  return (
    <section class="card edges-card" aria-labelledby="edges-title" data-testid="edges-card">
      <div class="card-head">
        <h2 id="edges-title">Ways in</h2>
        <Badge tone={e.overall}>{e.overall}</Badge>
        <span class="spacer" />
        <button type="button" class="link small" onClick={() => props.navigate('listeners')}>Listeners</button>
      </div>
      <ul class="edge-list small">
        <li data-testid="edges-proxies">{e.proxies.length === 0 ? 'No reverse proxy in front' : e.proxies.map((p) => `${p.process ?? p.server ?? 'edge'} :${p.port} ${p.tls ? `TLS ${p.tls.versions.filter((v) => v.accepted).map((v) => (v.version === 'TLSv1' ? '1.0' : v.version.replace('TLSv', ''))).join('/')}` : 'plain HTTP'}${p.forgedHeader.reachedGateway ? ', forged XFF passes' : ''}`).join(' · ')}</li>
        <li>{remote.length === 0 ? 'No remote path to the gateway' : `Remote: ${remote.map((r) => r.kind).join(', ')}`}{remote.length > 1 ? ' (split brain)' : ''}</li>
        <li>Process tree: {exposedTree === 0 ? 'loopback only' : `${exposedTree} listener(s) beyond loopback`} · Bonjour {e.mdns.mode}</li>
      </ul>
    </section>
  );
}
