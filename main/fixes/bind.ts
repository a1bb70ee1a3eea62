import { classifyAddress } from '../glance/exposure.ts';
import { readListeners } from '../glance/listeners.ts';
import { configWrite } from './config-file.ts';
import { bindArgument } from './guards.ts';
import { sha256 } from './manifest.ts';
import { plistWrite } from './service-files.ts';
import { FixRefused, type FileWrite, type FixContext, type FixDraft, type RestartKind } from './types.ts';

export { bindArgument } from './guards.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

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
 * `fix bind`: the gateway back on loopback, written where OpenClaw keeps it:
 * `gateway.bind: "loopback"` in openclaw.json, and any `--bind` removed from
 * ProgramArguments rather than rewritten (it beats the config, the installer
 * never writes one, and while it is there `openclaw update` refuses to
 * refresh the service). Tailnet or LAN access then goes through an SSH tunnel
 * or Tailscale Serve instead of an open port.
 */
export async function draftBind(context: FixContext): Promise<FixDraft> {
  const service = context.service.facts.service;
  if (!service) throw new FixRefused('no gateway service found (give --plist PATH)');
  const writes: FileWrite[] = [];
  const notes: string[] = [];
  let restart: RestartKind = 'none';
  const argument = bindArgument(context.service.job?.programArguments ?? []);
  if (argument) {
    writes.push(await plistWrite(service.plistPath, (dict) => {
      const args = [...(dict.ProgramArguments as string[])];
      const found = bindArgument(args);
      if (found) args.splice(found.joined ? found.index : found.index - 1, found.joined ? 1 : 2);
      dict.ProgramArguments = args;
    }));
    notes.push(`--bind ${argument.value} is removed from ProgramArguments: the command line beats the config, OpenClaw's installer never writes it, and while it is there \`openclaw update\` refuses to refresh the service.`);
    restart = 'reload';
  }
  const config = context.service.config;
  const loopbackCustom = config.bind === 'custom' && LOOPBACK_HOSTS.has(config.customBindHost ?? '');
  const effective = argument?.value ?? config.bind ?? 'loopback';
  if (config.bind !== 'loopback' && !loopbackCustom && (config.bind !== null || effective !== 'loopback')) {
    const edit = await configWrite(context, [[['gateway', 'bind'], 'loopback']], { holdsSecret: false });
    writes.push(edit.write);
    notes.push('gateway.bind is set to "loopback" in openclaw.json, where OpenClaw keeps it: reinstall, update and doctor\'s repair leave it in place.', ...edit.notes);
    if (restart === 'none') restart = 'kickstart';
  }
  return {
    kind: 'bind',
    title: `Bind the gateway to loopback (was ${effective}) on port ${context.service.facts.gateway.port}`,
    explanation: [
      `Now: ${argument ? `--bind ${argument.value} in the service's command line` : `gateway.bind = ${config.bind ?? 'unset (loopback)'}`}; auth ${context.service.facts.gateway.authMode}.`,
      'After: 127.0.0.1 and ::1 only. Nothing on the LAN or tailnet can reach the port; use an SSH tunnel (ssh -L) or Tailscale Serve for remote access.',
    ],
    notes, writes, commands: [], attachments: [], restart,
    candidate: null, preflightFiles: [], noPreflightBecause: 'binding does not change what the gateway can reach; verified with the listener scan after the restart',
    secrets: [], extraCheck: loopbackOnly,
    expect: [{ kind: 'config', key: 'gateway.bind', sha256: sha256('loopback'), shown: 'loopback' }, { kind: 'no-bind-argument' }],
  };
}
