import { rootCertificates, getCACertificates } from 'node:tls';
import type { Dispatcher } from 'undici';
import { decideRoute, type ManagedProxy } from '../probes/route.ts';
import { fileFacts, readBoundedFile } from '../system/files.ts';
import type { Outgoing } from './bodies.ts';

/** The daemon's network settings: its effective environment and OpenClaw's managed proxy. */
export interface DaemonNet {
  env: Readonly<Record<string, string | undefined>>;
  managedProxy: ManagedProxy | null;
}

export interface SendResult {
  ok: boolean;
  status: number | null;
  via: 'direct' | 'proxy';
  error: string | null;
}

/** A receiver that neither answers nor refuses within this long is a failed delivery (retried later), never a stuck check. */
const TIMEOUT_MS = 10_000;

/**
 * Sends pages the way the gateway's own traffic leaves the Mac: through the
 * proxy its environment or config names (NO_PROXY honoured, with the same
 * rules as the probes: decideRoute), trusting what it trusts (Node's roots,
 * NODE_EXTRA_CA_CERTS, the keychain when NODE_USE_SYSTEM_CA=1). Verification
 * stays on even if the daemon turned it off: a page must not go to an
 * impostor. Dispatchers are kept per route and trust, and closed on `close`.
 */
export class Transport {
  private readonly dispatchers = new Map<string, Dispatcher>();

  async send(request: Outgoing, net: DaemonNet | null): Promise<SendResult> {
    const route = decideRoute(new URL(request.url), net?.env ?? {}, net?.managedProxy ?? null);
    const via = route.via === 'proxy' ? 'proxy' : 'direct';
    try {
      const undici = await import('undici');
      const dispatcher = await this.dispatcher(via === 'proxy' ? route.proxy : null, net?.env ?? {}, undici);
      const response = await undici.request(request.url, {
        method: request.method, headers: request.headers, body: request.body ?? undefined, dispatcher,
        headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS, signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      return { ok, status: response.statusCode, via, error: ok ? null : `HTTP ${response.statusCode}` };
    } catch (error) {
      const failure = error as Error & { code?: string; cause?: { code?: string; message?: string } };
      return { ok: false, status: null, via, error: failure.cause?.code ?? failure.code ?? failure.cause?.message ?? failure.message };
    }
  }

  private async dispatcher(proxy: string | null, env: Readonly<Record<string, string | undefined>>, undici: typeof import('undici')): Promise<Dispatcher> {
    const extra = env.NODE_EXTRA_CA_CERTS?.trim() || null;
    const system = env.NODE_USE_SYSTEM_CA === '1';
    const facts = extra ? await fileFacts(extra) : null;
    const key = JSON.stringify([proxy, extra, facts?.mtimeMs ?? null, system]);
    const known = this.dispatchers.get(key);
    if (known) return known;
    const ca = [...rootCertificates, ...(system ? getCACertificates('system') : [])];
    // Node warns and carries on without an unreadable NODE_EXTRA_CA_CERTS; so do pages.
    if (extra) ca.push(await readBoundedFile(extra).then((b) => b.toString('utf8'), () => ''));
    const tls = { ca: ca.filter(Boolean) };
    const made: Dispatcher = proxy ? new undici.ProxyAgent({ uri: proxy, requestTls: tls, proxyTls: tls }) : new undici.Agent({ connect: tls });
    // A few routes at most (direct, one proxy); an old trust setting's dispatcher goes once it is the oldest.
    if (this.dispatchers.size >= 4) {
      const [oldest, dispatcher] = this.dispatchers.entries().next().value!;
      this.dispatchers.delete(oldest);
      void dispatcher.close().catch(() => undefined);
    }
    this.dispatchers.set(key, made);
    return made;
  }

  async close(): Promise<void> {
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(all.map((d) => d.close().catch(() => undefined)));
  }
}
