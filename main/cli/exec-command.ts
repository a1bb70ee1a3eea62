import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { constants, userInfo } from 'node:os';
import type { Session } from '../session/session.ts';
import { whichOnPath } from '../service/shell-diff.ts';
import { InputError, UsageError } from '../system/errors.ts';
import type { Out } from './emit.ts';

export interface ExecArgs {
  plist?: string;
  printEnv: boolean;
  command: string[];
}

/** What a shell answers for a command it cannot find or run, so scripts read clawbar's exit code the same way. */
const NOT_FOUND = 127;
const NOT_EXECUTABLE = 126;
/** Signals an operator sends to clawbar that belong to the command (a terminal's ^C reaches both already). */
const FORWARDED = ['SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

/** `KEY=value` per variable, sorted: the environment for a ticket (the caller's Out redacts it). */
export function envLines(env: Record<string, string>): string {
  return Object.keys(env).sort().map((name) => `${name}=${env[name]}`).join('\n') + '\n';
}

/** The job's UserName as uid and gid, when clawbar runs as root and the job names someone else. */
async function jobIdentity(session: Session, userName: string | null): Promise<{ uid: number; gid: number } | null> {
  if (!userName || userName === userInfo().username) return null;
  if (process.getuid?.() !== 0) {
    process.stderr.write(`clawbar exec: the job runs as ${userName}; without root this runs as ${userInfo().username}\n`);
    return null;
  }
  const [uid, gid] = await Promise.all(['-u', '-g'].map((flag) => session.world.exec('id', [flag, userName], { timeoutMs: 5_000, maxBytes: 1024 })));
  const [u, g] = [Number(uid!.stdout.trim()), Number(gid!.stdout.trim())];
  if (uid!.code !== 0 || gid!.code !== 0 || !Number.isInteger(u) || !Number.isInteger(g)) throw new InputError(`the job runs as ${userName}, who does not exist here`);
  return { uid: u, gid: g };
}

/**
 * `clawbar exec [--plist PATH] [--print-env] -- COMMAND [ARGS...]`: runs a
 * command in the gateway daemon's world — exactly its effective environment
 * (nothing of the caller's added), its working directory and, when clawbar
 * runs as root and the job names one, its user — with COMMAND looked up on
 * the daemon's PATH. stdin, stdout and stderr are the caller's, untouched:
 * this is the one command whose output clawbar does not redact. The exit code
 * is the command's (128 + N for a signal, 127 not found, 126 not runnable).
 * `--print-env` prints the environment instead, redacted, for a ticket.
 */
export async function execCommand(session: Session, args: ExecArgs, out: Out): Promise<number> {
  if (args.printEnv && args.command.length > 0) throw new UsageError('exec: --print-env prints the environment; give it no command');
  if (!args.printEnv && args.command.length === 0) throw new UsageError('exec: give a command after --, e.g. clawbar exec -- curl -v https://api.openai.com/');
  const service = await session.service(args.plist);
  const info = service.facts.service;
  if (!info) throw new InputError(`no gateway service found${args.plist ? ` in ${args.plist}` : ' (use --plist PATH)'}`);
  if (args.printEnv) {
    out.print(false, {}, () => envLines(service.env));
    return 0;
  }
  const cwd = info.workingDirectory;
  if (!(await stat(cwd).then((s) => s.isDirectory(), () => false))) throw new InputError(`the job's working directory ${cwd} does not exist (launchd could not start the gateway there either)`);
  const [name, ...rest] = args.command as [string, ...string[]];
  const file = name.includes('/') ? resolve(cwd, name) : whichOnPath(name, service.env.PATH);
  if (!file) {
    process.stderr.write(`clawbar exec: ${name}: not found on the daemon's PATH (${service.env.PATH ?? 'unset'})\n`);
    return NOT_FOUND;
  }
  // launchd honours UserName for daemons only; an agent runs as whoever is logged in.
  const identity = await jobIdentity(session, info.scope === 'daemon' ? info.userName : null);
  return new Promise((done) => {
    const child = spawn(file, rest, { cwd, env: service.env, stdio: 'inherit', argv0: name, ...(identity ?? {}) });
    const forward = (signal: NodeJS.Signals) => () => { child.kill(signal); };
    const handlers = FORWARDED.map((signal) => [signal, forward(signal)] as const);
    // ^C from a terminal reaches the command itself; clawbar waits for it to decide.
    const ignoreInterrupt = () => {};
    process.on('SIGINT', ignoreInterrupt);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const finish = (code: number) => {
      process.off('SIGINT', ignoreInterrupt);
      for (const [signal, handler] of handlers) process.off(signal, handler);
      done(code);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      process.stderr.write(`clawbar exec: ${name}: ${error.code === 'EACCES' ? 'permission denied' : error.message}\n`);
      finish(error.code === 'ENOENT' ? NOT_FOUND : NOT_EXECUTABLE);
    });
    child.on('exit', (code, signal) => finish(code ?? 128 + (signal ? constants.signals[signal] ?? 0 : 0)));
  });
}
