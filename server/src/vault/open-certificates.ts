import type { Config } from '../config.ts';
import { type CaRuntime, ensureCa, loadActiveCa } from '../domain/ca/ca-service.ts';
import type { IssuerDeps } from '../domain/ca/issue-credential.ts';
import { type RenewalResult, runRenewalSweep } from '../domain/ca/renewal-sweep.ts';
import type { DomainContext } from '../domain/context.ts';
import { announceNewCertificates } from '../domain/credentials/announce.ts';
import type { Vault } from '../domain/credentials/types.ts';
import { AppError } from '../errors.ts';
import { openVerifiedVault } from './open-vault.ts';

/** The vault and the built-in CA of one process (server or CLI command). */
export interface CertificateServices {
  vault: Vault;
  ca: CaRuntime;
  issuer: IssuerDeps;
}

/** Issuing settings from the config. */
export function issuerDeps(config: Config, vault: Vault, ca: CaRuntime): IssuerDeps {
  return { vault, ca, crlUrl: `${config.publicUrl}/crl`, validityDays: config.certValidityDays };
}

/**
 * Opens the vault (creating DATA_DIR/kek on first start) and loads the active CA, creating it
 * on first start with its key sealed at once. A KEK that does not open the CA key fails here,
 * at start, with kek_mismatch.
 */
export async function openCertificates(config: Config, ctx: DomainContext, options: { create: boolean } = { create: true }): Promise<CertificateServices> {
  const vault = await openVerifiedVault(config, ctx.store, { create: options.create });
  const ca = options.create
    ? await ensureCa(ctx, vault, { commonName: 'smime-portal Root CA', keyAlgorithm: config.caKeyAlgorithm, validityYears: 10 })
    : await loadActiveCa(ctx, vault);
  if (!ca) throw new AppError('not_found', 'no CA yet: start the server once or run `ca import FILE.p12`');
  return { vault, ca, issuer: issuerDeps(config, vault, ca) };
}

const DAY = 86_400_000;

/**
 * Runs the renewal sweep now and then every 24 hours (timer unref'd); returns a stop function.
 * Failures are reported through `log`, never thrown into the timer.
 */
export function scheduleRenewalSweep(
  ctx: DomainContext,
  services: CertificateServices,
  config: Config,
  log: (level: 'info' | 'warn' | 'error', message: string, detail: Record<string, unknown>) => void,
): () => void {
  const sweep = () =>
    runRenewalSweep(ctx, services.issuer, {
      threshold: config.renewalThreshold,
      onRenewed: (userId) => announceNewCertificates(ctx, userId, (m, d) => log('warn', m, d)),
    }).then(
      (r: RenewalResult) => {
        if (r.renewed.length || r.failed.length) log(r.failed.length ? 'warn' : 'info', 'renewal sweep', { renewed: r.renewed.length, failed: r.failed });
      },
      (error: unknown) => log('error', 'renewal sweep failed', { error: (error as Error).message }),
    );
  const first = setTimeout(sweep, 10_000);
  const timer = setInterval(sweep, DAY);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
