import { classifyAddress } from '../glance/exposure.ts';
import { readListeners } from '../glance/listeners.ts';
import { configWrite } from './config-file.ts';
import { plistWrite } from './service-files.ts';
import { FixRefused, type FileWrite, type FixContext, type FixDraft, type RestartKind } from './types.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** `--bind X` / `--bind=X` in the service's command line, which beats the config. */
export function bindArgument(args: string[]): { index: number; value: string; joined: boolean } | null {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--bind' && args[i + 1] !== undefined) return { index: i + 1, value: args[i + 1]!, joined: false };
    if (args[i]!.startsWith('--bind=')) return { index: i, value: args[i]!.slice(7), joined: true };
  }
  return null;
}

const POLL_MS = 500;

/**
 * After the restart the gateway's port must be listened on, and only on
 * loopback: read with lsof, polled until the new process is up.
 */
async function loopbackOnly(context: FixContext): Promise<{ ok: boolean; detail: string }> {
  const port = context.service.facts.gateway.port;
  const started = Date.now();
  let last = 'no listener on the gateway port yet';
  while (Date.now() - started < context.restartTimeoutMs) {
    const { raw, error } = await readListeners(context.exec);
    if (error) return { ok: false, detail: `cannot list listeners: ${error}` };
    const mine = raw.filter((l) => l.port === port);
    const exposed = mine.filter((l) => classifyAddress(l.address).exposure !== 'loopback');
    if (mine.length > 0 && exposed.length === 0) return { ok: true, detail: `port ${port} listens on ${mine.map((l) => l.address).join(', ')} only` };
    if (exposed.length > 0) last = `port ${port} still listens on ${exposed.map((l) => l.address).join(', ')}`;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return { ok: false, detail: last };
}

/**
 * `fix bind`: the gateway back on loopback. The command line's `--bind` wins
 * over `gateway.bind`, so both are put right; tailnet or LAN access then goes
 * through an SSH tunnel or Tailscale Serve instead of an open port.
 */
export async function draftBind(context: FixContext): Promise<FixDraft> {
  const service = context.service.facts.service;
  if (!service) throw new FixRefused('no gateway service found (give --plist PATH)');
  const writes: FileWrite[] = [];
  const notes: string[] = [];
  let restart: RestartKind = 'none';
  const argument = bindArgument(context.service.job?.programArguments ?? []);
  if (argument && argument.value !== 'loopback') {
    writes.push(await plistWrite(service.plistPath, (dict) => {
      const args = [...(dict.ProgramArguments as string[])];
      args[argument.index] = argument.joined ? '--bind=loopback' : 'loopback';
      dict.ProgramArguments = args;
    }));
    restart = 'reload';
  }
  const config = context.service.config;
  const loopbackCustom = config.bind === 'custom' && LOOPBACK_HOSTS.has(config.customBindHost ?? '');
  if (config.bind && config.bind !== 'loopback' && !loopbackCustom) {
    const edit = await configWrite(context, ['gateway', 'bind'], 'loopback', { holdsSecret: false });
    writes.push(edit.write);
    notes.push(...edit.notes);
    if (restart === 'none') restart = 'kickstart';
  }
  const was = argument?.value ?? config.bind ?? 'loopback';
  return {
    kind: 'bind',
    title: `Bind the gateway to loopback (was ${was}) on port ${context.service.facts.gateway.port}`,
    explanation: [
      `Now: ${argument ? `--bind ${argument.value} in the service's command line` : `gateway.bind = ${config.bind ?? 'unset (loopback)'}`}; auth ${context.service.facts.gateway.authMode}.`,
      'After: 127.0.0.1 and ::1 only. Nothing on the LAN or tailnet can reach the port; use an SSH tunnel (ssh -L) or Tailscale Serve for remote access.',
    ],
    notes, writes, commands: [], attachments: [], restart,
    candidate: null, preflightFiles: [], noPreflightBecause: 'binding does not change what the gateway can reach; verified with the listener scan after the restart',
    secrets: [], extraCheck: loopbackOnly,
  };
}
