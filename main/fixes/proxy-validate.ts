import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { serviceOpenclawCli } from './openclaw-cli.ts';
import type { FixContext, PreflightVerdict } from './types.ts';

const Validation = z.object({
  ok: z.boolean(),
  config: z.object({ errors: z.array(z.string()).default([]) }).passthrough(),
  checks: z.array(z.object({ kind: z.string(), url: z.string(), ok: z.boolean(), status: z.number().optional(), error: z.string().optional() })),
});

const describe = (check: z.infer<typeof Validation>['checks'][number]) => {
  const what = check.kind === 'denied' ? `loopback canary ${check.ok ? 'blocked' : 'reachable'}` : `${check.kind} ${check.url}`;
  return `${what}: ${check.ok ? 'ok' : check.error ?? `HTTP ${check.status ?? '?'}`}`;
};

/**
 * OpenClaw's own proxy check (`openclaw proxy validate`), run with the
 * service's OpenClaw CLI under the daemon's environment before anything is
 * written. The allowed destinations are the pre-flight's own targets, so it
 * reaches nothing the probes would not (without them it would try
 * example.com). The URL goes in OPENCLAW_PROXY_URL, not on the command line
 * where any local account could read its password; HOME and the state folder
 * are a private empty folder, so the old config's proxy does not win and
 * nothing is written in the real one. Its verdict is shown beside the probes'.
 */
export function proxyValidation(proxyUrl: string, env: Record<string, string>): (context: FixContext) => Promise<PreflightVerdict | null> {
  return async (context) => {
    const cli = serviceOpenclawCli(context.service);
    if (!cli) return null;
    const allowed = context.targets.map((t) => t.url).filter((url) => /^https?:\/\//.test(url));
    if (allowed.length === 0) return null;
    const dir = await mkdtemp(join(tmpdir(), 'clawbar-proxy-validate-'));
    try {
      const args = [cli.entry, 'proxy', 'validate', ...allowed.flatMap((url) => ['--allowed-url', url]), '--timeout-ms', String(context.timeoutMs), '--json'];
      const result = await context.exec(cli.node, args, {
        env: { ...env, OPENCLAW_PROXY_URL: proxyUrl, HOME: dir, OPENCLAW_STATE_DIR: dir, OPENCLAW_CONFIG_PATH: join(dir, 'openclaw.json') },
        timeoutMs: 30_000 + allowed.length * context.timeoutMs, maxBytes: 1024 * 1024,
      });
      const json = /\{[\s\S]*\}\s*$/.exec(result.stdout)?.[0];
      const parsed = Validation.safeParse((() => { try { return JSON.parse(json ?? ''); } catch { return null; } })());
      if (!parsed.success) {
        const why = (result.stderr || result.stdout).trim().split('\n').at(-1) || `exit ${result.code}`;
        return { detail: `openclaw proxy validate gave no verdict (${why})`, finding: { id: 'fix.proxy-validate', severity: 'warn', title: `OpenClaw's own proxy check (openclaw proxy validate) gave no verdict: ${why}`, fix: null } };
      }
      const { ok, checks, config } = parsed.data;
      const said = [...config.errors, ...checks.map(describe)].join('; ');
      const detail = `openclaw proxy validate: ${ok ? 'passed' : 'failed'} (${said})`;
      return {
        detail,
        finding: {
          id: 'fix.proxy-validate', severity: ok ? 'ok' : 'warn', title: `OpenClaw's own proxy check (openclaw proxy validate) ${ok ? 'passed' : 'failed'}: ${said}`,
          fix: ok ? null : 'An allowed destination that fails through the proxy fails for the gateway too; a reachable loopback canary means the proxy forwards requests to this Mac\'s own ports (deny loopback and private ranges on the proxy, as OpenClaw\'s docs/security/network-proxy.md asks).',
        },
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
