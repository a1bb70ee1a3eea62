import type { EnvReport } from '../contract.ts';
import { envView } from '../report/env-report.ts';
import type { Session } from '../session/session.ts';
import type { Out } from './emit.ts';
import { badge, exitFor, formatFindings, heading, table } from './output.ts';

export interface EnvArgs {
  plist?: string;
  json: boolean;
}

/** `clawbar env`: the gateway daemon's effective environment with sources and findings. */
export async function envCommand(session: Session, args: EnvArgs, out: Out): Promise<number> {
  const report = envView((await session.service(args.plist)).facts);
  out.print(args.json, report, () => formatEnv(report));
  return exitFor(report.overall);
}

export function formatEnv(report: EnvReport): string {
  const lines: string[] = [];
  const { service, gateway, launchd } = report;
  lines.push(`${heading('Gateway service')}  ${badge(report.overall)}`);
  if (service) {
    lines.push(...table([
      ['plist', `${service.plistPath} (${service.format}, ${service.scope})`],
      ['label', service.label ?? '(none)'],
      ['layout', service.layout === 'env-wrapper' ? `env wrapper ${service.wrapperPath} + env file ${service.envFilePath ?? '(none)'}` : 'inline EnvironmentVariables'],
      ['program', `${service.nodePath ?? '(none)'}${service.nodeExists ? '' : '  (missing)'}`],
      ['user / cwd', `${service.userName ?? '?'}  ${service.workingDirectory}`],
      ['why this one', service.discovery.chosenBecause.join('; ')],
    ]));
  } else {
    lines.push('  no gateway service found');
  }
  lines.push('', heading('Gateway'));
  lines.push(...table([
    ['config', `${gateway.configPath} (${gateway.configFound ? 'found' : 'not found, defaults apply'}; ${gateway.configReason})`],
    ['port', `${gateway.port} (from ${gateway.portSource})`],
    ['bind / auth', `${gateway.bind} / ${gateway.authMode}`],
    ['health', gateway.healthUrl],
    ...(gateway.proxyUrl ? [['proxy', gateway.proxyUrl]] : []),
  ]));
  lines.push('', heading('launchd'));
  const state = launchd.status === 'loaded'
    ? `${launchd.running ? `running, pid ${launchd.pid}` : 'not running'}${launchd.lastExitCode !== null ? `, last exit ${launchd.lastExitCode}` : ''}`
    : `${launchd.status}${launchd.message ? `: ${launchd.message}` : ''}`;
  lines.push(...table([['target', launchd.target ?? '(none)'], ['state', state]]));
  lines.push('', heading(`Effective environment (${report.environment.variables.length} variables)`));
  lines.push(...table(report.environment.variables.map((v) => [v.name, v.value, `${v.source}${v.overrides.length ? ` (over ${v.overrides.join(', ')})` : ''}`]), 70));
  if (report.shellDiff.length > 0) {
    lines.push('', heading('Differs from your shell'));
    lines.push(...table([['name', 'your shell', 'the daemon'], ...report.shellDiff.map((d) => [d.name, d.shell ?? '(unset)', d.daemon ?? '(unset)'])], 50));
  }
  lines.push('', heading('Findings'), ...formatFindings(report.findings));
  return `${lines.join('\n')}\n`;
}
