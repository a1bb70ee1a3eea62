import { hostname } from 'node:os';
import { allowlistCsv, allowlistMarkdown } from '../report/allowlist-format.ts';
import { reportMarkdown } from '../report/report-markdown.ts';
import type { Session } from '../session/session.ts';
import { textfilePath, writeTextfile } from '../store/metrics-textfile.ts';
import { EXIT, UsageError } from '../system/errors.ts';
import type { Out } from './emit.ts';
import { exitFor } from './output.ts';

export interface ReportArgs {
  json: boolean;
  out?: string;
  plist?: string;
  allowlist: boolean;
  csv: boolean;
}

/**
 * `clawbar report`: the redacted diagnostics report (Markdown, or JSON with
 * --json); with --allowlist, the firewall-ticket export of the egress
 * allowlist (Markdown, --csv or --json). Fix history is the same listing
 * `clawbar fix history` prints.
 */
export async function reportCommand(session: Session, args: ReportArgs, out: Out): Promise<number> {
  if (args.csv && !args.allowlist) throw new UsageError('report: --csv goes with --allowlist (the diagnostics report is Markdown or --json)');
  if (args.csv && args.json) throw new UsageError('report: choose one of --csv and --json');
  const service = await session.service(args.plist);
  if (args.allowlist) {
    const doc = await session.allowlistExport(service);
    await out.deliver(args.json ? doc : args.csv ? allowlistCsv(doc) : allowlistMarkdown(doc, hostname()), args.out);
    return EXIT.ok;
  }
  const report = await session.report(service, await session.settings());
  await out.deliver(args.json ? report : reportMarkdown(report), args.out);
  return exitFor(report.overall);
}

/**
 * `clawbar metrics`: writes the exposition textfile for node_exporter's
 * textfile collector (settings `metricsTextfilePath`, else the state folder),
 * or --out FILE, or stdout with `--out -`. Exit 0 once written: the states
 * are in the metrics, and a cron job must not mail on every warning.
 */
export async function metricsCommand(session: Session, args: { out?: string; plist?: string }, out: Out): Promise<number> {
  const [service, settings] = await Promise.all([session.service(args.plist), session.settings()]);
  const text = await session.metrics(await session.status(service, settings, 'metrics'));
  if (args.out === '-') {
    await out.deliver(text, '-');
    return EXIT.ok;
  }
  const path = args.out ?? textfilePath(settings, session.world.files.metricsTextfile);
  await writeTextfile(path, out.safe(text), { createDir: args.out === undefined, stateDir: session.world.files.stateDir });
  out.progress(`wrote ${path}`);
  return EXIT.ok;
}
