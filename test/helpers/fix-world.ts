import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build as buildPlist, parse as parsePlist } from 'plist';
import { FixOutcome, ProbeReport, StatusReport } from '../../main/contract.ts';
import { startNginx, type RunningNginx } from '../peers/nginx.ts';
import { installWithOpenclaw, type InstalledService } from '../peers/openclaw-install.ts';
import { QUIET_CONFIG } from '../peers/openclaw.ts';
import { installLaunchctlStandin, type LaunchctlStandin } from '../peers/launchd-standin.ts';
import { openclawUpkeep, type UpkeepAction, type UpkeepResult } from '../peers/openclaw-upkeep.ts';
import { freePort, waitFor } from '../peers/peer.ts';
import { makePki, type Pki } from '../peers/pki.ts';
import { startTinyproxy, type RunningTinyproxy } from '../peers/tinyproxy.ts';
import { cliEnv, makeHome, runCli, subdir, type CliRun } from './world.ts';

/** Bytes and mode of each file, or null when it does not exist: what "byte for byte" is checked against. */
export async function snapshot(paths: string[]): Promise<Record<string, { bytes: string; mode: number } | null>> {
  const out: Record<string, { bytes: string; mode: number } | null> = {};
  for (const path of paths) {
    try { out[path] = { bytes: (await readFile(path)).toString('base64'), mode: (await stat(path)).mode & 0o7777 }; } catch { out[path] = null; }
  }
  return out;
}

export interface GatewayWorld {
  world: string;
  svc: InstalledService;
  port: number;
  env: Record<string, string>;
  readyUrl: string;
  /** This world's own launchd (each world is one Mac, so labels do not collide). */
  standin: LaunchctlStandin;
  target: string;
  cli(args: string[]): Promise<CliRun>;
  fix(args: string[]): Promise<{ run: CliRun; outcome: FixOutcome }>;
  probe(url: string): Promise<ProbeReport>;
  /** `clawbar status --json` (clock against a dead loopback port: no time server is asked). */
  status(): Promise<StatusReport>;
  /** What OpenClaw's own code does to the service later on (audit, update refresh, reinstall, doctor rewrite). */
  upkeep(action: UpkeepAction): Promise<UpkeepResult>;
  /** Restarts the job as launchd would after OpenClaw rewrote its files (`kickstart -k`: the plist as loaded, the env file read again). */
  kickstart(): Promise<void>;
  /** Unloads and loads the job again (`bootout` + `bootstrap`), as after an edited plist. */
  reload(): Promise<void>;
}

export interface GatewayWorldOptions {
  config?: Record<string, unknown>;
  extraArgs?: string[];
  /** Environment of the shell that ran `openclaw gateway install` (it copies OPENCLAW_PROXY_URL and NODE_EXTRA_CA_CERTS). */
  installEnv?: Record<string, string>;
  /** Runs after the install, before the job is loaded: hand edits an operator (or an older tool) made. */
  prepare?: (svc: InstalledService) => Promise<void>;
}

/**
 * A gateway service written by OpenClaw's own installer into `world`, loaded
 * and started through the launchctl stand-in (real wrapper, env file and
 * gateway), with clawbar's CLI pointed at the stand-in.
 */
export async function gatewayWorld(world: string, options: GatewayWorldOptions = {}): Promise<GatewayWorld> {
  const port = await freePort();
  const standin = await installLaunchctlStandin(join(world, '.launchd-standin'));
  const svc = await installWithOpenclaw(world, { port, env: options.installEnv });
  await writeFile(join(svc.stateDir, 'openclaw.json'), JSON.stringify({ ...QUIET_CONFIG, gateway: { mode: 'local', bind: 'loopback', auth: { mode: 'none' } }, ...options.config }, null, 2));
  // clawbar's own settings: the clock check asks a dead loopback port, never a time server out there.
  await mkdir(join(world, '.config', 'clawbar'), { recursive: true });
  await writeFile(join(world, '.config', 'clawbar', 'config.json'), JSON.stringify({ ntpServer: '127.0.0.1:9' }));
  if (options.extraArgs) {
    // As an operator would add flags by hand after `openclaw gateway install`.
    const job = parsePlist(await readFile(svc.plistPath, 'utf8')) as Record<string, unknown>;
    job.ProgramArguments = [...(job.ProgramArguments as string[]), ...options.extraArgs];
    await writeFile(svc.plistPath, buildPlist(job as never));
  }
  await options.prepare?.(svc);
  await standin.bootstrap(svc.plistPath, world);
  const readyUrl = `http://127.0.0.1:${port}/readyz`;
  await waitFor('gateway ready', async () => (await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) }).catch(() => null))?.ok === true, 90_000, 300);
  const env = { ...cliEnv(world), ...standin.env };
  const cli = (args: string[]) => runCli(args, env, { timeoutMs: 240_000 });
  const target = `gui/${process.getuid?.() ?? 0}/${svc.label}`;
  const launchctl = (args: string[]) => new Promise<void>((resolve, reject) =>
    execFile(join(standin.binDir, 'launchctl'), args, { env: { ...env }, timeout: 60_000 }, (error) => (error ? reject(error) : resolve())));
  const ready = () => waitFor('gateway ready again', async () => (await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) }).catch(() => null))?.ok === true, 90_000, 300);
  return {
    world, svc, port, env, readyUrl, standin, target, cli,
    fix: async (args) => {
      const run = await cli(['fix', ...args, '--json']);
      assert.ok(run.stdout.trim().startsWith('{'), `fix ${args.join(' ')} printed no JSON (exit ${run.code}): ${run.stderr}`);
      return { run, outcome: FixOutcome.parse(JSON.parse(run.stdout)) };
    },
    probe: async (url) => ProbeReport.parse(JSON.parse((await cli(['probe', '--target', url, '--json'])).stdout)),
    status: async () => StatusReport.parse(JSON.parse((await cli(['status', '--json'])).stdout)),
    upkeep: (action) => openclawUpkeep(world, action, { port }),
    kickstart: async () => {
      await launchctl(['kickstart', '-k', target]);
      await ready();
    },
    reload: async () => {
      await launchctl(['bootout', target]);
      await launchctl(['bootstrap', `gui/${process.getuid?.() ?? 0}`, svc.plistPath]);
      await ready();
    },
  };
}

export interface FixPeers {
  /** The CA a fix is asked to trust; nginx's certificate is signed by it. */
  pki: Pki;
  /** nginx on loopback, vhost `valid` for localhost: fails on tls-trust until the gateway trusts `pki`'s CA. */
  nginx: RunningNginx;
  /** An authenticated forward proxy (user `ops`), the right one for a proxy fix. */
  proxy: RunningTinyproxy;
  /** A gateway world in its own folder `name` of this temporary home, stopped with the peers. */
  gatewayWorld(name: string, options?: GatewayWorldOptions): Promise<GatewayWorld>;
  /** Stops every gateway world made, then the proxy and nginx, and removes the home. */
  stop(): Promise<void>;
}

/**
 * What the fixes against the real gateway are tried on: a private CA, nginx
 * serving a certificate from it, and an authenticated tinyproxy, in a
 * temporary home. Whatever started is stopped again if a later step fails.
 */
export async function startFixPeers(proxyPassword: string): Promise<FixPeers> {
  const { home, cleanup } = await makeHome();
  const worlds: GatewayWorld[] = [];
  let nginx: RunningNginx | undefined;
  let proxy: RunningTinyproxy | undefined;
  const stop = async () => {
    for (const w of worlds) await w.standin.stopAll();
    await proxy?.stop();
    await nginx?.stop();
    await cleanup();
  };
  try {
    const pki = await makePki(await subdir(home, 'pki'));
    const good = await pki.issue('good', { sans: ['localhost', 'IP:127.0.0.1'] });
    nginx = await startNginx({ dir: await subdir(home, 'nginx'), vhosts: [{ name: 'valid', serverNames: ['localhost'], cert: good.chain, key: good.key }] });
    proxy = await startTinyproxy({ dir: await subdir(home, 'proxy'), user: 'ops', password: proxyPassword });
    return {
      pki, nginx, proxy, stop,
      gatewayWorld: async (name, options) => {
        const w = await gatewayWorld(await subdir(home, name), options);
        worlds.push(w);
        return w;
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Every file under `dir` (bounded), for searching logs and bundles for leaked secrets. */
export async function filesUnder(dir: string, limit = 2_000): Promise<string[]> {
  const found: string[] = [];
  const walk = async (path: string): Promise<void> => {
    if (found.length >= limit) return;
    const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) found.push(full);
    }
  };
  await walk(dir);
  return found;
}
