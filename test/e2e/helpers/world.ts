import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, type AgentOptions } from '../../../main/agent/agent.ts';
import { Settings } from '../../../main/settings.ts';
import { startChrony } from '../../peers/chrony.ts';
import { installLaunchctlStandin, type LaunchctlStandin } from '../../peers/launchd-standin.ts';
import { startNginx } from '../../peers/nginx.ts';
import { QUIET_CONFIG } from '../../peers/openclaw.ts';
import { installWithOpenclaw, type InstalledService } from '../../peers/openclaw-install.ts';
import { freePort, waitFor } from '../../peers/peer.ts';
import { makePki, type Pki } from '../../peers/pki.ts';
import { makeHome, subdir } from '../../helpers/world.ts';
import { startInspectionProxy } from './inspection-proxy.ts';

/** Secrets seeded into the gateway's env file: none may ever reach the renderer. */
export const SECRETS = {
  gatewayToken: 'gw-e2e-token-7f3c9a1b5d2e8f40',
  apiKey: 'sk-e2e-Zq8mN3vB7xK2pL9wR4tY6uH1',
};

export interface E2EWorld {
  home: string;
  /** The gateway's own JSON-lines log (`logging.file`), inside this world rather than the machine's shared /tmp/openclaw. */
  logFile: string;
  service: InstalledService;
  /** This Mac's launchd: a `launchctl` on PATH that really (re)starts the gateway job. */
  launchd: LaunchctlStandin;
  pki: Pki;
  nginxPort: number;
  chronyPort: number;
  stop: () => Promise<void>;
}

export interface WorldOptions {
  /** More of openclaw.json (providers, agents); `gateway` is merged into the world's gateway section. */
  openclaw?: Record<string, unknown> & { gateway?: Record<string, unknown> };
}

/**
 * A Mac as the app meets it, on loopback: the gateway LaunchAgent written by
 * OpenClaw's own installer (plus a token and an API key in its env file)
 * and started the way launchd would; its egress behind a TLS-inspecting
 * proxy whose CA the daemon does not trust; a corporate endpoint signed by
 * the same CA in the egress allowlist; chrony as the time server.
 */
export async function makeWorld(options: WorldOptions = {}): Promise<E2EWorld> {
  const { home, cleanup } = await makeHome('clawbar-e2e-');
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const chrony = await startChrony({ dir: await subdir(home, 'chrony') });
    stops.push(() => chrony.stop());
    const pki = await makePki(await subdir(home, 'pki'));
    const leaf = await pki.issue('corp-api', { sans: ['localhost', 'IP:127.0.0.1'] });
    const feed = await pki.issue('clawhub', { sans: ['clawhub.ai'] });
    const nginx = await startNginx({ dir: await subdir(home, 'nginx'), vhosts: [
      { name: 'corp', serverNames: ['localhost'], cert: leaf.chain, key: leaf.key, sharedPortGroup: 'edge' },
      { name: 'feed', serverNames: ['clawhub.ai'], cert: feed.chain, key: feed.key, sharedPortGroup: 'edge' },
    ] });
    stops.push(() => nginx.stop());
    const proxy = await startInspectionProxy(nginx.port('corp'));
    stops.push(() => proxy.stop());

    const port = await freePort();
    const service = await installWithOpenclaw(home, { port });
    // Explicit loopback: in a container OpenClaw's default bind is auto (0.0.0.0).
    // The gateway's egress goes through the inspection proxy (OpenClaw's managed proxy), not the dead one of QUIET_CONFIG.
    const logFile = join(home, 'openclaw-logs', 'openclaw.log');
    const { gateway: gatewayExtra, ...extra } = options.openclaw ?? {};
    await writeFile(join(service.stateDir, 'openclaw.json'), JSON.stringify({
      ...QUIET_CONFIG, ...extra, logging: { file: logFile }, proxy: { proxyUrl: proxy.url }, gateway: { port, bind: 'loopback', auth: { mode: 'none' }, ...gatewayExtra },
    }));
    await appendFile(service.envFilePath, `export OPENCLAW_GATEWAY_TOKEN='${SECRETS.gatewayToken}'\nexport OPENAI_API_KEY='${SECRETS.apiKey}'\n`);
    const launchd = await installLaunchctlStandin(await subdir(home, 'launchd'));
    await launchd.bootstrap(service.plistPath, home);
    stops.push(() => launchd.stopAll());
    await waitFor('gateway ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => null))?.ok === true, 90_000, 300);

    const config = join(home, '.config', 'clawbar');
    await mkdir(config, { recursive: true });
    await writeFile(join(config, 'allowlist.yaml'), `egress:\n  - host: localhost\n    port: ${nginx.port('corp')}\n    purpose: corp API (inspection proxy)\n    owner: platform-team\n`);
    return {
      home, logFile, service, launchd, pki, nginxPort: nginx.port('corp'), chronyPort: chrony.port,
      stop: async () => {
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
        await cleanup();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cleanup();
    throw error;
  }
}

/**
 * The app's agent for this world, run in this test's process. Its launchctl
 * calls go through the process environment, so that is pointed at the
 * world's launchd first; chrony is its time server.
 */
export function worldAgent(world: E2EWorld, options: Pick<AgentOptions, 'intervals' | 'probeTimeoutMs'>): Agent {
  Object.assign(process.env, world.launchd.env);
  return new Agent({
    settings: Settings.parse({ ntpServer: `127.0.0.1:${world.chronyPort}` }),
    home: world.home,
    shellEnv: { HOME: world.home, ...world.launchd.env },
    ...options,
  });
}
