/**
 * Is this certificate fit to be a user's S/MIME signing or encryption certificate? Pure rules
 * on CertificateInfo (no I/O), so the server, the CLI and the PWA agree.
 */

import type { CertificateInfo } from './certificate-info.ts';
import { OID } from './oids.ts';

export type SmimePurpose = 'smimeEncryption' | 'smimeSigning';

export type SmimeCheckCode =
  | 'not_for_user'
  | 'wrong_purpose_eku'
  | 'wrong_purpose_key_usage'
  | 'expired'
  | 'not_yet_valid'
  | 'ca_certificate';

export interface SmimeCheckIssue {
  code: SmimeCheckCode;
  message: string;
}

export interface SmimeCheckResult {
  errors: SmimeCheckIssue[];
  warnings: SmimeCheckIssue[];
}

/**
 * Checks a certificate for a user and purpose at time `now`.
 * - errors: no SAN rfc822Name / subject emailAddress equal to `email` (case-insensitive);
 *   an EKU without emailProtection; a keyUsage that lacks what the purpose needs
 *   (encryption: keyEncipherment or keyAgreement; signing: digitalSignature or
 *   nonRepudiation; no keyUsage extension allows both); expired when signing.
 * - warnings: expired when encrypting (old certificates stay needed to read old mail);
 *   not yet valid.
 */
export function checkSmimeCertificate(
  info: CertificateInfo,
  options: { purpose: SmimePurpose; email: string; now: Date },
): SmimeCheckResult {
  const errors: SmimeCheckIssue[] = [];
  const warnings: SmimeCheckIssue[] = [];
  const email = options.email.trim().toLowerCase();
  const forSigning = options.purpose === 'smimeSigning';

  if (!info.emails.includes(email)) {
    const listed = info.emails.length ? info.emails.join(', ') : 'no e-mail address';
    errors.push({
      code: 'not_for_user',
      message: `The certificate is not for ${email}: it names ${listed}.`,
    });
  }
  if (
    info.extKeyUsage !== null &&
    !info.extKeyUsage.includes(OID.emailProtection) &&
    !info.extKeyUsage.includes(OID.anyExtendedKeyUsage)
  ) {
    errors.push({
      code: 'wrong_purpose_eku',
      message: 'The certificate is not meant for e-mail: its extended key usage lacks "E-mail protection".',
    });
  }
  if (info.keyUsage !== null) {
    const ku = info.keyUsage;
    const ok = forSigning ? ku.digitalSignature || ku.nonRepudiation : ku.keyEncipherment || ku.keyAgreement;
    if (!ok) {
      errors.push({
        code: 'wrong_purpose_key_usage',
        message: forSigning
          ? 'The certificate cannot sign: its key usage has neither "digital signature" nor "non-repudiation".'
          : 'The certificate cannot encrypt: its key usage has neither "key encipherment" nor "key agreement".',
      });
    }
  }
  if (info.isCa) {
    warnings.push({ code: 'ca_certificate', message: 'This is a CA certificate, not a personal one.' });
  }
  const now = options.now.getTime();
  if (now > info.notAfter.getTime()) {
    const issue: SmimeCheckIssue = {
      code: 'expired',
      message: `The certificate expired on ${info.notAfter.toISOString().slice(0, 10)}.`,
    };
    if (forSigning) errors.push(issue);
    else
      warnings.push({
        ...issue,
        message: `${issue.message} It is kept so that older encrypted mail can still be read.`,
      });
  }
  if (now < info.notBefore.getTime()) {
    warnings.push({
      code: 'not_yet_valid',
      message: `The certificate is valid only from ${info.notBefore.toISOString().slice(0, 10)}.`,
    });
  }
  return { errors, warnings };
}
