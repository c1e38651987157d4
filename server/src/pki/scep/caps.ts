/**
 * GetCACaps (RFC 8894 §3.5.2): exactly the capabilities this server implements.
 */

export interface CapsOptions {
  /** RenewalReq is only served when the service can map an old certificate to its user. */
  renewal: boolean;
}

/**
 * AES (request and reply), SHA-256 (our signatures; we also verify SHA-1 and SHA-512 requests,
 * which is what SHA-1/SHA-512 announce), DES3 (3DES requests are decrypted), POST, SCEPStandard.
 * Single DES is never announced: it is only tolerated when SCEP_ALLOW_LEGACY_DES is on.
 */
export function buildCaCaps(options: CapsOptions): string {
  const caps = ['AES', 'DES3', 'POSTPKIOperation', 'SCEPStandard', 'SHA-1', 'SHA-256', 'SHA-512'];
  if (options.renewal) caps.push('Renewal');
  return `${caps.sort().join('\n')}\n`;
}
