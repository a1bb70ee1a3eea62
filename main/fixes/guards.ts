import { isAbsolute, join, normalize, dirname } from 'node:path';
import type { FileChange } from '../contract.ts';

type FileRole = FileChange['role'];
import type { ServiceEnvironment } from '../service/environment.ts';
import type { BundleManifest } from './manifest.ts';
import { FixRefused } from './types.ts';

/** `--bind X` / `--bind=X` in the service's command line, which beats the config. */
export function bindArgument(args: string[]): { index: number; value: string; joined: boolean } | null {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--bind' && args[i + 1] !== undefined) return { index: i + 1, value: args[i + 1]!, joined: false };
    if (args[i]!.startsWith('--bind=')) return { index: i, value: args[i]!.slice(7), joined: true };
  }
  return null;
}

/** launchd labels clawbar builds paths and launchctl targets from: reverse-DNS words, nothing else. */
const LABEL = /^[A-Za-z0-9._-]+$/;

/** Why a Label cannot be used to build a path or a launchctl target, or null. */
export function labelProblem(label: string): string | null {
  if (!LABEL.test(label) || label === '.' || label === '..') return `the service's Label ${JSON.stringify(label)} is not a reverse-DNS name ([A-Za-z0-9._-]+)`;
  return null;
}

/** Refuses a fix of a service whose Label could steer a path (`../../x`) before any path is built from it. */
export function assertServiceLabel(service: ServiceEnvironment): void {
  const label = service.facts.service?.label;
  const problem = label === null || label === undefined ? null : labelProblem(label);
  if (problem) throw new FixRefused(`${problem}; clawbar builds no file name or launchctl target from it. Correct the Label in ${service.facts.service!.plistPath}`);
}

/**
 * Where the gateway-only CA bundle lives: next to OpenClaw's env file (the
 * daemon's account can read it there, and the installer never deletes extra
 * files in service-env/), or in clawbar's folder for inline services.
 */
export function caBundlePath(service: ServiceEnvironment, caDir: string): string {
  const layout = service.layout;
  const label = service.facts.service?.label ?? 'gateway';
  if (labelProblem(label)) throw new FixRefused(labelProblem(label)!);
  if (layout?.kind === 'env-wrapper' && layout.envFilePath) return join(dirname(layout.envFilePath), `${label}.ca-bundle.pem`);
  return join(caDir, `${label}.ca-bundle.pem`);
}

/** The files a fix of this service may write or restore, by role: its plist, env file, config and CA bundle. */
export function serviceFiles(service: ServiceEnvironment, caDir: string): Map<string, FileRole> {
  const files = new Map<string, FileRole>();
  const plist = service.facts.service?.plistPath;
  if (plist) files.set(plist, 'plist');
  if (service.layout?.kind === 'env-wrapper' && service.layout.envFilePath) files.set(service.layout.envFilePath, 'env-file');
  files.set(service.facts.gateway.configPath, 'config');
  files.set(caBundlePath(service, caDir), 'ca-bundle');
  return files;
}

/** A plain absolute path: no `..`, no `.`, no doubled or trailing slash that could make two names for one file. */
export const isPlainAbsolute = (path: string) => isAbsolute(path) && normalize(path) === path && !path.split('/').includes('..') && !path.endsWith('/');

/**
 * Checks a bundle before a rollback believes it: every file is one of that
 * fix's service files with the role it had, named plainly, and the launchctl
 * target is this service's own. Throws with the reason; nothing has run yet.
 */
export function assertBundleFiles(manifest: BundleManifest, service: ServiceEnvironment, caDir: string): void {
  const refuse = (why: string) => { throw new FixRefused(`fix ${manifest.id} cannot be rolled back automatically: ${why}; restore its files by hand`); };
  assertServiceLabel(service);
  const facts = service.facts.service;
  if (manifest.plistPath !== null && (!isPlainAbsolute(manifest.plistPath) || facts?.plistPath !== manifest.plistPath)) refuse(`its service ${manifest.plistPath} is not the one found there now`);
  if (manifest.serviceTarget !== null && manifest.serviceTarget !== facts?.domainTarget) refuse(`its launchctl target ${manifest.serviceTarget} is not the service's (${facts?.domainTarget ?? 'none'})`);
  const allowed = manifest.plistPath === null ? new Map<string, FileRole>() : serviceFiles(service, caDir);
  for (const file of manifest.files) {
    if (!isPlainAbsolute(file.path)) refuse(`${JSON.stringify(file.path)} is not a plain absolute path`);
    if (allowed.get(file.path) !== file.role) refuse(`${file.path} is not this service's ${file.role}`);
  }
}
