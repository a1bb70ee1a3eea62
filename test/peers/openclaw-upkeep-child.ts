/**
 * Run as a child under Node 24 with HOME set to a test world: OpenClaw's own
 * code for what it does to an installed LaunchAgent later on — the update's
 * service refresh (audit, then rewrite unless the audit refuses), `gateway
 * install --force` (and the start/restart auto-repair, which is the same
 * rewrite), and doctor's repair rewrite — with platform "darwin". launchctl is
 * never called; `/usr/bin/plutil`, which its plist decoder runs, is answered
 * by plutil-standin.ts.
 *
 * argv[2]: JSON { pkg, action, port, shellEnv }
 * stdout: JSON { before, audit, refused, written }
 */
import cp from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import JSON5 from 'json5';

type Action = 'audit' | 'update' | 'reinstall' | 'doctor-rewrite';
interface Request { pkg: string; action: Action; port: number; shellEnv: Record<string, string> }
const request = JSON.parse(process.argv[2] ?? '{}') as Request;

// OpenClaw decodes plists with the macOS plutil at a fixed path; on Linux the stand-in answers.
const PLUTIL = join(import.meta.dirname, 'plutil-standin.ts');
const realSpawn = cp.spawn;
cp.spawn = ((file: string, args: string[], options: object) =>
  realSpawn(file === '/usr/bin/plutil' ? process.execPath : file, file === '/usr/bin/plutil' ? [PLUTIL, ...args] : args, options)) as typeof cp.spawn;
syncBuiltinESMExports();

const dist = join(request.pkg, 'dist');
const chunks = readdirSync(dist).filter((name) => name.endsWith('.mjs'));
type Fn = (...args: any[]) => any;
/** An OpenClaw function by its source region and original name (chunk names and aliases change per release). */
async function load(region: string, name: string): Promise<Fn> {
  for (const file of chunks) {
    const text = readFileSync(join(dist, file), 'utf8');
    if (!text.includes(`//#region ${region}\n`)) continue;
    const alias = /export \{([^}]*)\};\s*$/.exec(text)?.[1]?.match(new RegExp(`\\b${name} as ([\\w$]+)`))?.[1];
    if (alias) return (await import(pathToFileURL(join(dist, file)).href))[alias] as Fn;
  }
  throw new Error(`OpenClaw function ${name} not found in ${region}`);
}

const readCommand = await load('src/daemon/launchd-runtime.ts', 'readLaunchAgentProgramArguments');
const managedCommand = await load('src/daemon/service-types.ts', 'resolveManagedGatewayServiceCommand');
const mergeInstallInvocationEnv = await load('src/cli/daemon-cli/install.ts', 'mergeInstallInvocationEnv');
const buildGatewayInstallPlan = await load('src/commands/daemon-install-helpers.ts', 'buildGatewayInstallPlan');
const writeLaunchAgentPlist = await load('src/daemon/launchd-service-files.ts', 'writeLaunchAgentPlist');
const auditGatewayServiceConfig = await load('src/daemon/service-audit.ts', 'auditGatewayServiceConfig');

process.argv[1] = join(request.pkg, 'openclaw.mjs');
const shell: Record<string, string> = { ...request.shellEnv };
const warn = (message: string) => process.stderr.write(`openclaw: ${message}\n`);
// requireEffective: the strict reader `gateway install` and the update use; an env file it cannot parse is an error.
const command = await readCommand(shell, { requireEffective: true });
const managed = managedCommand(command);
const configPath = join(shell.HOME!, '.openclaw', 'openclaw.json');
const config = existsSync(configPath) ? JSON5.parse(readFileSync(configPath, 'utf8')) : {};

/** What the installer would write from `env`, keeping what it keeps of the existing service. */
const plan = (env: Record<string, string>) => buildGatewayInstallPlan({
  env, port: request.port, runtime: 'node', runtimePath: managed?.programArguments[0], platform: 'darwin', config, warn,
  existingCommand: command, existingEnvironment: managed?.environment, existingEnvironmentValueSources: managed?.environmentValueSources,
});
const write = (env: Record<string, string>, planned: Record<string, unknown>) => writeLaunchAgentPlist({
  env, warn, stdout: { write: () => true },
  programArguments: planned.programArguments, workingDirectory: planned.workingDirectory, environment: planned.environment,
});

// `openclaw update` runs the new install with the service's own environment over the shell's, then reconciles.
const updateEnv = mergeInstallInvocationEnv({ env: { ...shell, ...managed?.environment }, existingServiceEnv: managed?.environment });
const expected = await plan(updateEnv);
const audit = await auditGatewayServiceConfig({ env: updateEnv, command, expectedCommand: expected, platform: 'darwin' });
const drift = (audit.definitionDrift ?? []) as Array<{ kind: string; key: string }>;
// reconcileGatewayServiceDefinition: an unknown edit, or a definition it cannot inspect, stops the refresh.
const refused = [...(audit.definitionDriftError ? [audit.definitionDriftError as string] : []), ...drift.filter((d) => d.kind === 'unknown-edit').map((d) => d.key)];

let written = false;
if (request.action === 'update' && refused.length === 0) { await write(updateEnv, expected); written = true; }
if (request.action === 'reinstall') {
  const installEnv = mergeInstallInvocationEnv({ env: shell, existingServiceEnv: managed?.environment });
  await write(installEnv, await plan(installEnv));
  written = true;
}
// Doctor plans from the invoking shell alone; the service's own values only survive where the installer keeps them.
if (request.action === 'doctor-rewrite') { await write(shell, await plan(shell)); written = true; }

process.stdout.write(`${JSON.stringify({
  before: { programArguments: command?.programArguments ?? [], environment: command?.environment ?? {} },
  audit: { issues: (audit.issues as Array<{ code: string }>).map((i) => i.code), drift },
  refused, written,
})}\n`);
