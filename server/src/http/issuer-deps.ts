import type { IssuerDeps } from '../domain/ca/issue-credential.ts';
import { AppError } from '../errors.ts';
import type { AppDeps } from './app-env.ts';

/** The issuing dependencies from the app's deps, or dependency_failed when the CA is not loaded. */
export function issuerDepsOf(deps: AppDeps): IssuerDeps {
  if (!deps.vault || !deps.ca) throw new AppError('dependency_failed', 'the built-in CA is not loaded on this server');
  return { vault: deps.vault, ca: deps.ca, crlUrl: `${deps.config.publicUrl}/crl`, validityDays: deps.config.certValidityDays };
}
