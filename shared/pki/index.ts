/**
 * Public API of shared/pki: isomorphic (browser + Node 20) X.509, PKCS#12, PKCS#10 and S/MIME
 * helpers on WebCrypto. Internals (ciphers, KDF, DER walking) stay importable by path for tests.
 */

export { bytesEqual, concatBytes, fromBase64, fromBase64Url, fromHex, toBase64, toBase64Url, toHex } from './bytes.ts';
export {
  type CertificateInfo,
  certificateInfoOf,
  decodeCertificate,
  derToPem,
  type KeyAlgorithm,
  type KeyUsageFlags,
  parseCertificate,
  pemToDer,
} from './certificate-info.ts';
export { buildCsr, type ParsedCsr, parseCsr, parseVerifiedCsr } from './csr.ts';
export { keyMatchesCertificate, spkiOfCertificate } from './key-match.ts';
export { OID } from './oids.ts';
export { type ExtractIdentityOptions, extractIdentities, extractIdentity, type Pkcs12Identity, type Pkcs12IdentityWithInfo } from './pkcs12-identity.ts';
export { decodePkcs12, type Pkcs12Bag, type Pkcs12Contents, readPkcs12 } from './pkcs12-read.ts';
export { type Pkcs12WriteEntry, type WritePkcs12Options, writePkcs12 } from './pkcs12-write.ts';
export { isPkiError, PKI_ERROR_CODES, PkiError, type PkiErrorCode } from './pki-error.ts';
export { verifySignature } from './signature.ts';
export {
  checkSmimeCertificate,
  type SmimeCheckCode,
  type SmimeCheckIssue,
  type SmimeCheckResult,
  type SmimePurpose,
} from './smime-checks.ts';
