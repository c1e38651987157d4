/**
 * Certificate revocation lists (RFC 5280 §5) signed by the built-in CA.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../errors.ts';
import type { CaSigner } from './ca.ts';
import { buildExtension, buildTime, fromHex, OID, toBytes } from './x509-builders.ts';

/** CRLReason codes (RFC 5280 §5.3.1); 7 is unused by the standard. */
export const CRL_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type CrlReason = keyof typeof CRL_REASONS;

export interface RevokedEntry {
  serialHex: string;
  revokedAt: Date;
  reason?: CrlReason | undefined;
}

export interface BuildCrlOptions {
  revoked: readonly RevokedEntry[];
  thisUpdate: Date;
  nextUpdate: Date;
  /** Monotonically increasing per CA; the caller persists it. */
  crlNumber: number | bigint;
}

/** Builds a v2 CRL with authority key identifier and CRL number, signed with SHA-256. */
export async function buildCrl(ca: CaSigner, options: BuildCrlOptions): Promise<Uint8Array> {
  if (!(options.thisUpdate.getTime() < options.nextUpdate.getTime())) {
    throw new AppError('validation_failed', 'thisUpdate must be before nextUpdate');
  }
  const crlNumber = BigInt(options.crlNumber);
  if (crlNumber < 0n || crlNumber >= 1n << 159n) {
    throw new AppError('validation_failed', 'crlNumber must be a non-negative integer below 2^159');
  }
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.issuer = ca.certificate.subject;
  crl.thisUpdate = buildTime(options.thisUpdate);
  crl.nextUpdate = buildTime(options.nextUpdate);
  if (options.revoked.length > 0) {
    crl.revokedCertificates = options.revoked.map((entry) => buildRevoked(entry));
  }
  crl.crlExtensions = new pkijs.Extensions({
    extensions: [
      buildExtension(
        OID.authorityKeyIdentifier,
        false,
        new pkijs.AuthorityKeyIdentifier({
          keyIdentifier: new asn1js.OctetString({ valueHex: ca.subjectKeyIdentifier }),
        }),
      ),
      buildExtension(OID.crlNumber, false, new asn1js.Integer({ valueHex: bigintToBytes(crlNumber) })),
    ],
  });
  await crl.sign(ca.signingKey, 'SHA-256', ca.engine);
  return toBytes(crl.toSchema(true).toBER(false));
}

function buildRevoked(entry: RevokedEntry): pkijs.RevokedCertificate {
  let serial: Uint8Array;
  try {
    serial = fromHex(entry.serialHex);
  } catch (cause) {
    throw new AppError('validation_failed', `revoked serial ${entry.serialHex} is not hex`, { cause });
  }
  const revoked = new pkijs.RevokedCertificate({
    userCertificate: new asn1js.Integer({ valueHex: toBytes(serial).buffer as ArrayBuffer }),
    revocationDate: buildTime(entry.revokedAt),
  });
  // RFC 5280 §5.3.1: the reason code unspecified SHOULD be absent.
  if (entry.reason && entry.reason !== 'unspecified') {
    const code = CRL_REASONS[entry.reason];
    if (code === undefined) throw new AppError('validation_failed', `unknown CRL reason ${entry.reason}`);
    revoked.crlEntryExtensions = new pkijs.Extensions({
      extensions: [buildExtension(OID.crlReason, false, new asn1js.Enumerated({ value: code }))],
    });
  }
  return revoked;
}

/** Minimal two's-complement big-endian encoding of a non-negative integer. */
function bigintToBytes(value: bigint): ArrayBuffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  return toBytes(fromHex(hex)).buffer as ArrayBuffer;
}
