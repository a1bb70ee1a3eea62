import { DEFAULT_TIME_SERVER, formatOffset, measureClock, parseServerSpec } from '../glance/clock.ts';
import { UsageError } from '../system/errors.ts';
import { FixRefused, type FixContext, type FixDraft } from './types.ts';

/**
 * `fix clock`: step the clock once from an NTP server (`sntp -sS`) and turn
 * network time on so it stays right, then measure again. macOS only; the
 * refusal elsewhere says what to run instead.
 */
export async function draftClock(context: FixContext, server: string | undefined, platform = process.platform): Promise<FixDraft> {
  const spec = server ?? DEFAULT_TIME_SERVER;
  try { parseServerSpec(spec); } catch (error) { throw new UsageError(`--server: ${(error as Error).message}`); }
  const { host } = parseServerSpec(spec);
  if (platform !== 'darwin') {
    throw new FixRefused(`setting the clock is done here by the OS's own time service: run \`sudo chronyc makestep\` (chrony) or \`sudo timedatectl set-ntp true\` (systemd-timesyncd), then \`clawbar clock --server ${spec}\``);
  }
  const before = await measureClock({ server: spec, exec: context.exec });
  return {
    kind: 'clock',
    title: `Set the clock from ${host} and keep network time on`,
    explanation: [
      `Now: ${before.offsetMs === null ? 'offset unknown' : `offset ${formatOffset(before.offsetMs)}`} against ${before.server ?? host}.`,
      'OpenClaw device signatures fail beyond ±120 s; TLS and tokens fail long before a day. sntp -sS steps the clock once; network time keeps it right.',
    ],
    notes: ['Needs an administrator (a macOS dialog asks). Not undone by rollback: a correct clock has nothing to roll back to.'],
    writes: [],
    commands: [
      { command: 'sntp', args: ['-sS', host], admin: true, why: 'step the clock now', undo: null },
      { command: 'systemsetup', args: ['-setusingnetworktime', 'on'], admin: true, why: 'keep it in step', undo: null },
    ],
    attachments: [], restart: 'none', candidate: null, preflightFiles: [],
    noPreflightBecause: 'the clock is not part of the daemon\'s environment; measured again afterwards',
    secrets: [],
    expect: [],
    extraCheck: async (ctx) => {
      const after = await measureClock({ server: spec, exec: ctx.exec });
      const ok = after.offsetMs !== null && Math.abs(after.offsetMs) < 1_000;
      return { ok, detail: after.offsetMs === null ? 'offset could not be measured again' : `offset now ${formatOffset(after.offsetMs)}` };
    },
  };
}
