/**
 * Run as a child under Node 24 with HOME set to a temporary folder: calls
 * OpenClaw's own installer functions (the ones `openclaw gateway install`
 * uses) with platform "darwin", so the plist, env file and wrapper in the test
 * world are byte for byte what OpenClaw writes on a Mac. launchctl is never
 * called: only the file-writing step runs.
 *
 * argv[2]: JSON { pkg, profile?, port?, config?, runtimePath?, allowUnconfigured? }
 * stdout: JSON { port, plistPath, stdoutPath }
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Request { pkg: string; profile?: string; port?: number; config?: Record<string, unknown>; runtimePath?: string; allowUnconfigured?: boolean }
const request = JSON.parse(process.argv[2] ?? '{}') as Request;
const dist = join(request.pkg, 'dist');
const chunks = readdirSync(dist).filter((name) => name.endsWith('.mjs'));

// Bundled chunk names and export aliases change per release; the source-region
// marker and the original export name inside the chunk do not.
async function load<T>(region: string, name: string): Promise<T> {
  for (const file of chunks) {
    const text = readFileSync(join(dist, file), 'utf8');
    if (!text.includes(`//#region ${region}\n`)) continue;
    const alias = /export \{([^}]*)\};\s*$/.exec(text)?.[1]?.match(new RegExp(`\\b${name} as ([\\w$]+)`))?.[1];
    if (alias) return (await import(pathToFileURL(join(dist, file)).href))[alias] as T;
  }
  throw new Error(`OpenClaw function ${name} not found in ${region}`);
}

type Fn = (...args: any[]) => any;
const buildGatewayInstallPlan = await load<Fn>('src/commands/daemon-install-helpers.ts', 'buildGatewayInstallPlan');
const writeLaunchAgentPlist = await load<Fn>('src/daemon/launchd-service-files.ts', 'writeLaunchAgentPlist');
const resolveGatewayPort = await load<Fn>('src/config/paths.ts', 'resolveGatewayPort');
const applyCliProfileEnv = await load<Fn>('src/cli/profile.ts', 'applyCliProfileEnv');

// OpenClaw derives the service's entry script from argv[1] (its `openclaw` bin).
process.argv[1] = join(request.pkg, 'openclaw.mjs');
const env: Record<string, string | undefined> = { ...process.env };
if (request.profile) applyCliProfileEnv({ profile: request.profile, env });
const config = request.config ?? {};
const port = request.port ?? Number(resolveGatewayPort(config, env));
const warn = (message: string) => process.stderr.write(`openclaw: ${message}\n`);
const plan = await buildGatewayInstallPlan({
  env, port, config, warn, platform: 'darwin', runtime: 'node',
  runtimePath: request.runtimePath ?? process.execPath,
  allowUnconfigured: request.allowUnconfigured ?? true,
});
const written = await writeLaunchAgentPlist({
  env, warn, stdout: { write: () => true },
  programArguments: plan.programArguments, workingDirectory: plan.workingDirectory, environment: plan.environment,
});
process.stdout.write(`${JSON.stringify({ port, ...written })}\n`);
