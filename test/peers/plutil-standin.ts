/**
 * `/usr/bin/plutil -convert xml1|json -o - -- -` for OpenClaw's own code on
 * Linux: it decodes every LaunchAgent it audits or rewrites through plutil.
 * Reads a plist (XML or binary) on stdin and writes it in the asked format,
 * as plutil does; anything else is refused with plutil's usage exit code.
 */
import { build as buildPlist } from 'plist';
import { parsePlistBytes } from '../../main/service/plist.ts';

const args = process.argv.slice(2);
const format = args[0] === '-convert' ? args[1] : undefined;
if ((format !== 'xml1' && format !== 'json') || !args.includes('-')) {
  process.stderr.write(`plutil stand-in: unsupported arguments ${args.join(' ')}\n`);
  process.exit(64);
}
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
try {
  const { value } = parsePlistBytes(Buffer.concat(chunks), '<stdin>');
  process.stdout.write(format === 'json' ? JSON.stringify(value) : `${buildPlist(value as never)}\n`);
} catch (error) {
  process.stderr.write(`<stdin>: Property List error: ${(error as Error).message}\n`);
  process.exit(1);
}
