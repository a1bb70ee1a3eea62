import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ServiceEnvironment } from '../service/environment.ts';
import type { Executor } from '../system/exec.ts';

export interface OpenclawCli { node: string; entry: string }

/** The OpenClaw CLI the service itself runs: its node binary and its entry script, when both exist here. */
export function serviceOpenclawCli(service: ServiceEnvironment): OpenclawCli | null {
  const node = service.facts.service?.nodePath;
  const entry = service.layout?.command.find((arg) => /openclaw/i.test(arg) && /\.(m?js)$/.test(arg));
  if (!node || !service.facts.service?.nodeExists || !entry || !existsSync(entry)) return null;
  return { node, entry };
}

/**
 * Asks OpenClaw itself whether a candidate config is valid (`openclaw config
 * validate --json`), on a private copy: its own schema is stricter and newer
 * than anything clawbar could carry. `config set` would do the same check but
 * rewrites the file without its comments, so clawbar edits and OpenClaw judges.
 */
export async function validateWithOpenclaw(exec: Executor, cli: OpenclawCli, env: Record<string, string>, candidate: string): Promise<{ valid: boolean; issues: string[] } | null> {
  const dir = await mkdtemp(join(tmpdir(), 'clawbar-config-'));
  try {
    const path = join(dir, 'openclaw.json');
    await writeFile(path, candidate, { mode: 0o600 });
    const result = await exec(cli.node, [cli.entry, 'config', 'validate', '--json'], {
      env: { ...env, HOME: dir, OPENCLAW_STATE_DIR: dir, OPENCLAW_CONFIG_PATH: path }, timeoutMs: 60_000, maxBytes: 1024 * 1024,
    });
    const json = /\{[\s\S]*\}\s*$/.exec(result.stdout)?.[0];
    if (!json) return null;
    const parsed = JSON.parse(json) as { valid?: boolean; issues?: Array<{ path?: string; message?: string }> };
    return {
      valid: parsed.valid === true,
      issues: (parsed.issues ?? []).map((issue) => `${issue.path ?? '?'}: ${issue.message ?? 'invalid'}`.replaceAll(path, basename(path))),
    };
  } catch {
    return null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
