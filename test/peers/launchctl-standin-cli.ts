/**
 * A stand-in for macOS `launchctl`, put on PATH by tests (launchd does not
 * exist on Linux). It really runs jobs: `bootstrap` reads the plist and starts
 * its ProgramArguments (OpenClaw's wrapper, env file and gateway), `kickstart
 * -k` kills and restarts the job *as loaded* (like launchd, it does not re-read
 * an edited plist), `bootout` stops it, `print` describes it in launchctl's
 * format, `enable` succeeds. Errors use launchctl's real wording and exit codes
 * (see test/fixtures/macos). State lives in $LAUNCHCTL_STANDIN_DIR.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLaunchdJob } from '../../main/service/plist.ts';
import { LAUNCHD_DEFAULT_PATH } from '../../main/service/launchd-env.ts';

interface Loaded {
  target: string;
  plistPath: string;
  args: string[];
  env: Record<string, string>;
  /** The plist's EnvironmentVariables as loaded: what `print` lists under `environment`. */
  inline: Record<string, string>;
  cwd: string;
  out: string | null;
  pid: number | null;
}

const stateDir = process.env.LAUNCHCTL_STANDIN_DIR;
if (!stateDir) { process.stderr.write('launchctl stand-in: LAUNCHCTL_STANDIN_DIR is not set\n'); process.exit(1); }
const statePath = (target: string) => join(stateDir, `${target.replaceAll('/', '_')}.json`);
const read = (target: string): Loaded | null => (existsSync(statePath(target)) ? JSON.parse(readFileSync(statePath(target), 'utf8')) as Loaded : null);
const save = (job: Loaded) => writeFileSync(statePath(job.target), JSON.stringify(job));
const alive = (pid: number | null) => { if (!pid) return false; try { process.kill(pid, 0); return true; } catch { return false; } };
const notFound = (target: string) => `Could not find service "${target.split('/').pop()}" in domain for user gui: ${target.split('/')[1]}\n`;

function start(job: Loaded): void {
  const fd = job.out ? openSync(job.out, 'a') : 'ignore';
  const child = spawn(job.args[0]!, job.args.slice(1), { cwd: job.cwd, env: job.env, detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  job.pid = child.pid ?? null;
  save(job);
}

async function stop(job: Loaded): Promise<void> {
  if (!alive(job.pid)) return;
  try { process.kill(-job.pid!, 'SIGTERM'); } catch { process.kill(job.pid!, 'SIGTERM'); }
  for (let i = 0; i < 100 && alive(job.pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(job.pid)) { try { process.kill(-job.pid!, 'SIGKILL'); } catch { /* gone */ } }
  job.pid = null;
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const target = rest.filter((a) => !a.startsWith('-'))[0] ?? '';
  switch (verb) {
    case 'enable': return 0;
    case 'print': {
      const job = read(target);
      if (!job) { process.stderr.write(`Bad request.\n${notFound(target)}`); return 113; }
      const running = alive(job.pid);
      const lines = [`${target} = {`, '\tactive count = 1', `\tpath = ${job.plistPath}`, '\ttype = LaunchAgent', `\tstate = ${running ? 'running' : 'not running'}`, '',
        `\tprogram = ${job.args[0]}`, '\targuments = {', ...job.args.map((a) => `\t\t${a}`), '\t}', '', `\tworking directory = ${job.cwd}`, '',
        '\tenvironment = {', ...Object.entries({ ...job.inline, XPC_SERVICE_NAME: job.target.split('/').pop()! }).map(([k, v]) => `\t\t${k} => ${v}`), '\t}', '', ...(running ? [`\tpid = ${job.pid}`] : []), '}'];
      process.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    }
    case 'kickstart': {
      const job = read(target);
      if (!job) { process.stderr.write(notFound(target)); return 113; }
      if (rest.includes('-k')) await stop(job);
      if (!alive(job.pid)) start(job);
      if (rest.includes('-p')) process.stdout.write(`${job.pid}\n`);
      return 0;
    }
    case 'bootout': {
      const job = read(target);
      if (!job) { process.stderr.write(`Boot-out failed: 113: Could not find specified service\n`); return 113; }
      await stop(job);
      rmSync(statePath(target));
      return 0;
    }
    case 'bootstrap': {
      const [domain, plistPath] = rest;
      if (!domain || !plistPath) { process.stderr.write('Usage: launchctl bootstrap <domain-target> <path>\n'); return 64; }
      const plist = await readLaunchdJob(plistPath);
      const full = `${domain}/${plist.label}`;
      if (read(full)) { process.stderr.write('Bootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.\n'); return 5; }
      const job: Loaded = {
        target: full, plistPath, args: plist.programArguments ?? [plist.program!], cwd: plist.workingDirectory ?? '/', out: plist.standardOutPath, pid: null, inline: plist.environmentVariables,
        env: { PATH: LAUNCHD_DEFAULT_PATH, HOME: process.env.HOME ?? '/', USER: 'root', LOGNAME: 'root', SHELL: '/bin/sh', TMPDIR: '/tmp', XPC_SERVICE_NAME: plist.label ?? '', XPC_FLAGS: '0x0', ...plist.environmentVariables },
      };
      if (plist.runAtLoad !== false) start(job); else save(job);
      return 0;
    }
    default:
      process.stderr.write(`launchctl stand-in: unsupported subcommand ${verb ?? ''}\n`);
      return 64;
  }
}

process.exitCode = await main(process.argv.slice(2));
