import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Out } from './cli/emit.ts';
import type { Session } from './session/session.ts';
import { EXIT, InputError, UsageError } from './system/errors.ts';

/*
 * Start-up is mostly module loading, so this file imports only what every run
 * needs; each command's modules, the world and the session load when that
 * command runs (`--help` loads none of them).
 */
const glance = () => import('./cli/glance-commands.ts');
const reports = () => import('./cli/report-commands.ts');

const HELP = `clawbar — diagnose an OpenClaw gateway on a headless Mac

Usage: clawbar <command> [options]

Commands:
  status [--json]               one-shot glance: gateway health, listeners, clock, findings
  env [--plist PATH] [--json]   the gateway daemon's effective environment, with sources and findings
  probe [--plist PATH] [--target URL]... [--resolve HOST:PORT:ADDR]... [--dns-server ADDR[:PORT]]...
        [--shell-env] [--timeout MS] [--save-baseline NAME] [--compare NAME] [--json]
                                the probe suite under the daemon's environment (or your shell's);
                                --save-baseline keeps this run, --compare flags regressions against one
  exec [--plist PATH] -- COMMAND [ARGS...]
                                run COMMAND in the daemon's exact environment, working directory and
                                user, found on the daemon's PATH; its exit code is clawbar's. Its output
                                is NOT redacted (the one command that passes stdio through untouched)
  exec [--plist PATH] --print-env
                                the daemon's environment as KEY=value lines, redacted, for a ticket
  egress observe [--for DURATION] [--interval DURATION] [--plist PATH] [--json]
                                where the gateway really connects (lsof of its process tree, every 2s
                                for 60s by default), kept for report --allowlist
  listeners [--json] [--save-baseline] [--baseline FILE]
                                listener exposure and drift since the baseline
  clock [--server HOST[:PORT]] [--json]
                                clock offset (SNTP; HTTPS Date headers when UDP 123 is blocked)
  report [--json] [--out FILE|-] [--plist PATH]
                                redacted diagnostics report for a ticket (Markdown, or JSON)
  report --allowlist [--csv|--json] [--out FILE|-] [--plist PATH]
                                firewall-ticket export: allowlist rows, probe commands, last results
  edges [--edge URL]... [--plist PATH] [--json]
                                every way into the gateway: its process tree, Bonjour, reverse proxies
                                (TLS, HSTS, forged X-Forwarded-For), remote paths (sshd, Tailscale, tunnels)
  metrics [--out FILE|-] [--plist PATH]
                                Prometheus/OpenMetrics textfile for node_exporter (default: the
                                metricsTextfilePath setting, else <state dir>/metrics/clawbar.prom)
  fix ca --cert FILE [--scope gateway|system]   trust a TLS-inspecting proxy's CA
  fix proxy --url URL [--no-proxy LIST]         route the gateway's egress through a proxy
  fix bind                                      put the gateway back on loopback
  fix clock [--server HOST]                     set the clock and keep network time on (macOS)
        each [--plist PATH] [--dry-run|--apply [--plan ID]] [--force] [--target URL]... [--json]
        (default --dry-run: preview, pre-flight, nothing written)
  fix rollback [ID] [--force]                   restore a fix's rollback bundle and restart
  fix history [--json]                          the rollback bundles, newest first
  fix reapply ID [--apply [--plan ID]]          put back a fix something undid (new plan, preview, pre-flight)
  watch [--plist PATH]          the schedules headless (health, listeners, clock, probes, metrics), with paging
  watch install [--scope agent|daemon] [--plist PATH] | uninstall | status [--json]
                                the watcher as a launchd job (LaunchAgent; LaunchDaemon for a daemon gateway)
  watch pause --for DURATION [--reason TEXT] | resume
                                hold pages back (logged, not sent), e.g. --for 30m

Common options:
  --json      print one JSON document on stdout and nothing else
  -h, --help  show this help

Exit codes: 0 ok, 1 warnings, 2 critical findings, 64 bad usage,
65 unreadable or unparsable input, 70 internal error.
`;

type Handler = (session: Session, out: Out, values: Record<string, unknown>, positionals: string[]) => Promise<number>;

interface CommandSpec {
  options: NonNullable<ParseArgsConfig['options']>;
  run: Handler;
  /** Takes a subcommand and arguments (fix). */
  positionals?: boolean;
}

const write = (text: string) => { process.stdout.write(text); };
/** Progress for long work goes to stderr, and only to a terminal. */
const progress = (text: string) => { if (process.stderr.isTTY) process.stderr.write(`${text}\n`); };
const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);

const COMMANDS: Record<string, CommandSpec> = {
  status: {
    options: { json: { type: 'boolean', default: false } },
    run: async (session, out, values) => (await glance()).statusCommand(session, { json: values.json === true }, out),
  },
  listeners: {
    options: { json: { type: 'boolean', default: false }, 'save-baseline': { type: 'boolean', default: false }, baseline: { type: 'string' } },
    run: async (session, out, values) => (await glance()).listenersCommand(session, { json: values.json === true, saveBaseline: values['save-baseline'] === true, baseline: values.baseline as string | undefined }, out),
  },
  edges: {
    options: { json: { type: 'boolean', default: false }, edge: { type: 'string', multiple: true }, plist: { type: 'string' } },
    run: async (session, out, values) => (await import('./cli/edges-command.ts')).edgesCommand(session, { json: values.json === true, edge: list(values.edge), plist: values.plist as string | undefined }, out),
  },
  clock: {
    options: { json: { type: 'boolean', default: false }, server: { type: 'string' } },
    run: async (session, out, values) => (await glance()).clockCommand(session, { json: values.json === true, server: values.server as string | undefined }, out),
  },
  env: {
    options: { plist: { type: 'string' }, json: { type: 'boolean', default: false } },
    run: async (session, out, values) => (await import('./cli/env-command.ts')).envCommand(session, { plist: values.plist as string | undefined, json: values.json === true }, out),
  },
  probe: {
    options: {
      plist: { type: 'string' }, target: { type: 'string', multiple: true }, resolve: { type: 'string', multiple: true },
      'dns-server': { type: 'string', multiple: true }, 'shell-env': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '8000' }, json: { type: 'boolean', default: false },
      'save-baseline': { type: 'string' }, compare: { type: 'string' },
    },
    run: async (session, out, values) => (await import('./cli/probe-command.ts')).probeCommand(session, {
      plist: values.plist as string | undefined, target: list(values.target), resolve: list(values.resolve), dnsServer: list(values['dns-server']),
      shellEnv: values['shell-env'] === true, json: values.json === true, timeoutMs: Number(values.timeout),
      saveBaseline: values['save-baseline'] as string | undefined, compare: values.compare as string | undefined,
    }, out),
  },
  report: {
    options: {
      json: { type: 'boolean', default: false }, out: { type: 'string' }, plist: { type: 'string' },
      allowlist: { type: 'boolean', default: false }, csv: { type: 'boolean', default: false },
    },
    run: async (session, out, values) => (await reports()).reportCommand(session, {
      json: values.json === true, out: values.out as string | undefined, plist: values.plist as string | undefined,
      allowlist: values.allowlist === true, csv: values.csv === true,
    }, out),
  },
  fix: {
    positionals: true,
    options: {
      plist: { type: 'string' }, cert: { type: 'string' }, scope: { type: 'string' }, url: { type: 'string' }, 'no-proxy': { type: 'string' },
      server: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, apply: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false }, plan: { type: 'string' }, json: { type: 'boolean', default: false },
      target: { type: 'string', multiple: true }, resolve: { type: 'string', multiple: true }, 'dns-server': { type: 'string', multiple: true },
      timeout: { type: 'string', default: '8000' }, 'restart-timeout': { type: 'string', default: '90000' },
    },
    run: async (session, out, values, positionals) => {
      if (positionals.length > 2) throw new UsageError(`fix: unexpected argument '${positionals[2]}'`);
      const { fixCommand } = await import('./cli/fix-command.ts');
      return fixCommand(session, {
        sub: positionals[0], id: positionals[1], plist: values.plist as string | undefined, cert: values.cert as string | undefined,
        scope: values.scope as string | undefined, url: values.url as string | undefined, noProxy: values['no-proxy'] as string | undefined,
        server: values.server as string | undefined, dryRun: values['dry-run'] === true, apply: values.apply === true, force: values.force === true,
        plan: values.plan as string | undefined, json: values.json === true, target: list(values.target), resolve: list(values.resolve),
        dnsServer: list(values['dns-server']), timeoutMs: Number(values.timeout), restartTimeoutMs: Number(values['restart-timeout']),
      }, out);
    },
  },
  watch: {
    positionals: true,
    options: { json: { type: 'boolean', default: false }, plist: { type: 'string' }, scope: { type: 'string' }, for: { type: 'string' }, reason: { type: 'string' } },
    run: async (session, out, values, positionals) => {
      if (positionals.length > 1) throw new UsageError(`watch: unexpected argument '${positionals[1]}'`);
      return (await import('./cli/watch-command.ts')).watchCommand(session, {
        sub: positionals[0], json: values.json === true, plist: values.plist as string | undefined, scope: values.scope as string | undefined,
        for: values.for as string | undefined, reason: values.reason as string | undefined,
      }, out);
    },
  },
  exec: {
    positionals: true,
    options: { plist: { type: 'string' }, 'print-env': { type: 'boolean', default: false } },
    run: async (session, out, values, positionals) => (await import('./cli/exec-command.ts')).execCommand(session, { plist: values.plist as string | undefined, printEnv: values['print-env'] === true, command: positionals }, out),
  },
  egress: {
    positionals: true,
    options: { for: { type: 'string' }, interval: { type: 'string' }, plist: { type: 'string' }, json: { type: 'boolean', default: false } },
    run: async (session, out, values, positionals) => {
      if (positionals.length > 1) throw new UsageError(`egress: unexpected argument '${positionals[1]}'`);
      return (await import('./cli/egress-command.ts')).egressCommand(session, { sub: positionals[0], for: values.for as string | undefined, interval: values.interval as string | undefined, plist: values.plist as string | undefined, json: values.json === true }, out);
    },
  },
  metrics: {
    options: { out: { type: 'string' }, plist: { type: 'string' } },
    run: async (session, out, values) => (await reports()).metricsCommand(session, { out: values.out as string | undefined, plist: values.plist as string | undefined }, out),
  },
};

/**
 * Runs the CLI and returns its exit code; every failure becomes a one-line
 * message on stderr. The world (environment, executor, files, redactor) is
 * built here, once, from this process; nothing below reads process.env.
 */
export async function main(argv: string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(HELP);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[name];
  const [{ buildWorld }, { Session }, { createOut }] = await Promise.all([import('./world.ts'), import('./session/session.ts'), import('./cli/emit.ts')]);
  const world = buildWorld({ env });
  const session = new Session(world);
  (await import('./cli/output.ts')).setColour(process.stdout.isTTY === true && !env.NO_COLOR);
  try {
    if (!command) throw new UsageError(`unknown command '${name}' (see clawbar --help)`);
    // Whatever follows `--` belongs to the command `exec` runs (`clawbar exec -- curl -h`).
    const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (own.includes('-h') || own.includes('--help')) {
      process.stdout.write(HELP);
      return EXIT.ok;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: command.positionals === true, strict: true });
    } catch (error) {
      throw new UsageError(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
    return await command.run(session, createOut(world.redactor, write, progress), parsed.values, parsed.positionals);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`clawbar: ${world.redactor.text(error.message)}\n`);
      return EXIT.usage;
    }
    if (error instanceof InputError) {
      process.stderr.write(`clawbar: ${world.redactor.text(error.message)}\n`);
      return EXIT.dataErr;
    }
    process.stderr.write(`clawbar: internal error: ${world.redactor.text((error as Error).message ?? String(error))}\n`);
    if (env.CLAWBAR_DEBUG) process.stderr.write(`${world.redactor.text(String((error as Error).stack))}\n`);
    return EXIT.internal;
  }
}
