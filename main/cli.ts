import { parseArgs, type ParseArgsConfig } from 'node:util';
import { envCommand } from './cli/env-command.ts';
import { EXIT, InputError, UsageError } from './system/errors.ts';

const HELP = `clawbar — diagnose an OpenClaw gateway on a headless Mac

Usage: clawbar <command> [options]

Commands:
  env [--plist PATH] [--json]   the gateway daemon's effective environment, with sources and findings

Common options:
  --json      print one JSON document on stdout and nothing else
  -h, --help  show this help

Exit codes: 0 ok, 1 warnings, 2 critical findings, 64 bad usage,
65 unreadable or unparsable input, 70 internal error.
`;

type Handler = (values: Record<string, unknown>, positionals: string[]) => Promise<number>;

interface CommandSpec {
  options: NonNullable<ParseArgsConfig['options']>;
  run: Handler;
}

const write = (text: string) => { process.stdout.write(text); };

const COMMANDS: Record<string, CommandSpec> = {
  env: {
    options: { plist: { type: 'string' }, json: { type: 'boolean', default: false } },
    run: (values) => envCommand({ plist: values.plist as string | undefined, json: values.json === true }, write),
  },
};

/** Runs the CLI and returns its exit code; every failure becomes a one-line message on stderr. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(HELP);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command '${name}' (see clawbar --help)`);
    if (rest.includes('-h') || rest.includes('--help')) {
      process.stdout.write(HELP);
      return EXIT.ok;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: false, strict: true });
    } catch (error) {
      throw new UsageError(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
    return await command.run(parsed.values, parsed.positionals);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`clawbar: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof InputError) {
      process.stderr.write(`clawbar: ${error.message}\n`);
      return EXIT.dataErr;
    }
    process.stderr.write(`clawbar: internal error: ${(error as Error).message ?? String(error)}\n`);
    if (process.env.CLAWBAR_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return EXIT.internal;
  }
}
