import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FixBundleSummary } from '../contract.ts';
import { decideRoute } from '../probes/route.ts';
import { loadAllowlist } from '../probes/targets.ts';
import { buildAllowlistExport } from '../report/allowlist-export.ts';
import { allowlistCsv, allowlistMarkdown } from '../report/allowlist-format.ts';
import { lastProbePath, loadLastProbe } from '../report/last-probe.ts';
import { collectMetrics } from '../report/metrics-collect.ts';
import { textfilePath, writeTextfile } from '../report/metrics-textfile.ts';
import { collectDiagnostics } from '../report/report.ts';
import { reportMarkdown } from '../report/report-markdown.ts';
import { loadServiceEnvironment } from '../service/environment.ts';
import { loadSettings } from '../settings.ts';
import { EXIT, UsageError } from '../system/errors.ts';
import { writeOutputFile } from '../system/files.ts';
import { clawbarPaths } from '../system/paths.ts';
import { exitFor } from './output.ts';

type Write = (text: string) => void;

export interface ReportArgs {
  json: boolean;
  out?: string;
  plist?: string;
  allowlist: boolean;
  csv: boolean;
}

/** Sends a document to --out (atomically, private) or to stdout (no --out, or `--out -`). */
async function deliver(text: string, out: string | undefined, write: Write, progress: Write): Promise<void> {
  if (out === undefined || out === '-') return write(text);
  await writeOutputFile(out, text, { mode: 0o600, createDir: false });
  progress(`wrote ${out}`);
}

/**
 * `clawbar report`: the redacted diagnostics report (Markdown, or JSON with
 * --json); with --allowlist, the firewall-ticket export of the egress
 * allowlist (Markdown, --csv or --json). Fix history comes from `fixHistory`,
 * the same listing `clawbar fix history` prints.
 */
export async function reportCommand(args: ReportArgs, write: Write, progress: Write, fixHistory: () => Promise<FixBundleSummary[]>): Promise<number> {
  if (args.csv && !args.allowlist) throw new UsageError('report: --csv goes with --allowlist (the diagnostics report is Markdown or --json)');
  if (args.csv && args.json) throw new UsageError('report: choose one of --csv and --json');
  const service = await loadServiceEnvironment(args.plist ? { plistPath: args.plist } : {});
  if (args.allowlist) {
    const [allowlist, lastProbe] = await Promise.all([loadAllowlist(join(clawbarPaths().configDir, 'allowlist.yaml')), loadLastProbe(lastProbePath())]);
    const doc = buildAllowlistExport({
      allowlist, gateway: service.report.gateway, config: service.config, lastProbe, redactor: service.redactor,
      routeFor: (url) => decideRoute(new URL(url), service.env, service.managedProxy),
      caFile: service.env.NODE_EXTRA_CA_CERTS?.trim() || null,
    });
    await deliver(args.json ? `${JSON.stringify(doc, null, 2)}\n` : args.csv ? allowlistCsv(doc) : allowlistMarkdown(doc, service.redactor.text(hostname())), args.out, write, progress);
    return EXIT.ok;
  }
  const report = await collectDiagnostics({ service, settings: await loadSettings(), fixHistory, lastProbePath: lastProbePath() });
  await deliver(args.json ? `${JSON.stringify(report, null, 2)}\n` : reportMarkdown(report), args.out, write, progress);
  return exitFor(report.overall);
}

/**
 * `clawbar metrics`: writes the exposition textfile for node_exporter's
 * textfile collector (settings `metricsTextfilePath`, else the state folder),
 * or --out FILE, or stdout with `--out -`. Exit 0 once written: the states
 * are in the metrics, and a cron job must not mail on every warning.
 */
export async function metricsCommand(args: { out?: string; plist?: string }, write: Write, progress: Write): Promise<number> {
  const [service, settings] = await Promise.all([loadServiceEnvironment(args.plist ? { plistPath: args.plist } : {}), loadSettings()]);
  const text = await collectMetrics({ service, settings, lastProbePath: lastProbePath(), observer: 'metrics' });
  if (args.out === '-') {
    write(text);
    return EXIT.ok;
  }
  const path = args.out ?? textfilePath(settings);
  await writeTextfile(path, text, args.out === undefined);
  progress(`wrote ${path}`);
  return EXIT.ok;
}
