import type { GatewayInfo } from '../contract.ts';
import { portFromArgs } from './layout.ts';
import { DEFAULT_GATEWAY_PORT, profileDefaultPort, type GatewayConfig, type locateConfig } from './openclaw-config.ts';

const flagValue = (command: string[], flag: string): string | null => {
  for (let i = 0; i < command.length; i++) {
    if (command[i] === flag) return command[i + 1] ?? null;
    if (command[i]!.startsWith(`${flag}=`)) return command[i]!.slice(flag.length + 1);
  }
  return null;
};

/**
 * Where the gateway listens and how, with OpenClaw's precedence: `--port` >
 * OPENCLAW_GATEWAY_PORT > `gateway.port` > the (profile) default; `--bind`
 * and `--auth` on the command line beat the config.
 */
export function gatewayInfo(command: string[], env: Record<string, string>, config: GatewayConfig, location: ReturnType<typeof locateConfig>, proxyUrl: string | null): GatewayInfo {
  const fromArgs = portFromArgs(command);
  const fromEnv = /^\d{1,5}$/.test(env.OPENCLAW_GATEWAY_PORT ?? '') ? Number(env.OPENCLAW_GATEWAY_PORT) : null;
  const [port, portSource] = fromArgs !== null ? [fromArgs, 'argument' as const]
    : fromEnv !== null && fromEnv > 0 && fromEnv < 65536 ? [fromEnv, 'environment' as const]
    : config.port !== null ? [config.port, 'config' as const]
    : [location.profile && env.OPENCLAW_PROFILE ? profileDefaultPort(location.profile) : DEFAULT_GATEWAY_PORT, 'default' as const];
  const bind = flagValue(command, '--bind') ?? config.bind ?? 'loopback';
  const host = bind === 'custom' && config.customBindHost && !['0.0.0.0', '::'].includes(config.customBindHost) ? config.customBindHost : '127.0.0.1';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    configPath: location.path,
    configReason: location.reason,
    configFound: config.found,
    profile: location.profile,
    port,
    portSource,
    bind,
    customBindHost: config.customBindHost,
    authMode: flagValue(command, '--auth') ?? config.authMode ?? 'token',
    trustedProxies: config.trustedProxies,
    proxyUrl,
    healthUrl: `http://${hostPart}:${port}/health`,
    readyUrl: `http://${hostPart}:${port}/readyz`,
    wsUrl: `ws://${hostPart}:${port}/`,
  };
}
