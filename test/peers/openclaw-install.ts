import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NODE24, openclawEntry, openclawPackageDir } from './openclaw.ts';

const run = promisify(execFile);

export interface InstalledService {
  port: number;
  plistPath: string;
  label: string;
  envFilePath: string;
  wrapperPath: string;
  stateDir: string;
}

export interface InstallOptions {
  profile?: string;
  port?: number;
  config?: Record<string, unknown>;
  /** The node binary the service will run (the plist's ProgramArguments[3]). */
  runtimePath?: string;
  /** Extra environment for the installer (e.g. OPENCLAW_PROXY_URL, which it copies). */
  env?: Record<string, string>;
}

/**
 * Writes a gateway LaunchAgent into `home` with OpenClaw's own installer code
 * (see openclaw-installer.ts). Runs without network access when possible
 * (`unshare -n` as root), since nothing here needs the network.
 */
export async function installWithOpenclaw(home: string, options: InstallOptions = {}): Promise<InstalledService> {
  openclawEntry();
  const request = JSON.stringify({ pkg: openclawPackageDir(), profile: options.profile, port: options.port, config: options.config, runtimePath: options.runtimePath ?? NODE24 });
  const script = join(import.meta.dirname, 'openclaw-installer.ts');
  const env = { HOME: home, PATH: `${join(NODE24, '..')}:/usr/bin:/bin`, TMPDIR: '/tmp', ...options.env };
  const isolated = process.getuid?.() === 0;
  const [file, args] = isolated ? ['unshare', ['-n', NODE24, script, request]] : [NODE24, [script, request]];
  const { stdout } = await run(file, args, { env, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 });
  const written = JSON.parse(stdout.trim().split('\n').at(-1)!) as { port: number; plistPath: string };
  const label = options.profile ? `ai.openclaw.${options.profile}` : 'ai.openclaw.gateway';
  const stateDir = join(home, options.profile ? `.openclaw-${options.profile}` : '.openclaw');
  return {
    port: written.port,
    plistPath: written.plistPath,
    label,
    stateDir,
    envFilePath: join(stateDir, 'service-env', `${label}.env`),
    wrapperPath: join(stateDir, 'service-env', `${label}-env-wrapper.sh`),
  };
}
