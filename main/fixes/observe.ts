import { readFile } from 'node:fs/promises';
import type { Finding } from '../contract.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import { evaluateEnvFile } from '../service/env-file.ts';
import { formatEnvFile } from '../service/env-file-format.ts';
import { listBundles } from './bundle.ts';
import { bundleCertificates } from './certificates.ts';
import { sha256, type BundleManifest, type BundleTrust } from './manifest.ts';
import { revertedFindings, type FailingNow, type ServiceNow } from './reverted.ts';

const readOrNull = (path: string) => readFile(path).catch(() => null);

/** Reads what the recorded fixes of this service expect, as it is on disk now. */
export async function observeService(service: ServiceEnvironment, bundles: BundleManifest[]): Promise<ServiceNow> {
  const files: ServiceNow['files'] = {};
  for (const path of new Set(bundles.flatMap((b) => b.files.map((f) => f.path)))) {
    const bytes = await readOrNull(path);
    files[path] = bytes ? sha256(bytes) : null;
  }
  const caBundles: ServiceNow['caBundles'] = {};
  for (const path of new Set(bundles.flatMap((b) => b.expect.flatMap((e) => (e.kind === 'ca-bundle' ? [e.path] : []))))) {
    const bytes = await readOrNull(path);
    caBundles[path] = bytes ? bundleCertificates(bytes.toString('latin1')).certs.map((c) => c.sha256) : null;
  }
  let envFileGenerated: boolean | null = null;
  const envPath = service.layout?.kind === 'env-wrapper' ? service.layout.envFilePath : null;
  const envText = envPath ? (await readOrNull(envPath))?.toString('utf8') : undefined;
  if (envText !== undefined) {
    const parsed = evaluateEnvFile(envText, {});
    envFileGenerated = parsed.headerOk && formatEnvFile(Object.fromEntries([...parsed.assigned].map(([name, a]) => [name, a.value]))) === envText;
  }
  return {
    plistPath: service.facts.service?.plistPath ?? null,
    env: service.env,
    programArguments: service.job?.programArguments ?? [],
    config: { proxyUrl: service.config.proxyUrl, bind: service.config.bind },
    files, caBundles, envFileGenerated,
  };
}

/**
 * The check every status run, report and app cycle makes: each fix clawbar
 * recorded for this service against the service as it is now (`fix.reverted`),
 * and a word about folders in the rollback store clawbar did not record.
 */
export async function fixesNoLongerInForce(input: { bundles: string; trust: () => Promise<BundleTrust>; service: ServiceEnvironment; failing: FailingNow }): Promise<Finding[]> {
  const listing = await listBundles(input.bundles, input.trust);
  const plistPath = input.service.facts.service?.plistPath;
  const mine = listing.bundles.filter((b) => b.plistPath !== null && b.plistPath === plistPath);
  const findings = mine.length > 0 ? revertedFindings(mine, await observeService(input.service, mine), input.failing) : [];
  if (listing.ignored.length > 0) {
    findings.push({
      id: 'fix.bundle-untrusted', severity: 'warn',
      title: `${listing.ignored.length} folder(s) in clawbar's rollback store were not recorded by clawbar: ${listing.ignored.map((i) => i.id).join(', ')}`,
      detail: listing.ignored.map((i) => i.reason).join(' '),
      fix: 'Rollback ignores them and runs nothing from them; find out who wrote them, then remove them.',
    });
  }
  return findings;
}
