/**
 * Small pure builders shared by the CA, the issuer and the CRL writer: names, times, key usage
 * bits, key identifiers and extension wrapping. Everything here is deterministic given its input.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export const OID = {
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  emailAddress: '1.2.840.113549.1.9.1',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  crlDistributionPoints: '2.5.29.31',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecPublicKey: '1.2.840.10045.2.1',
} as const;

/** Key usage bit positions (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BITS = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsageName = keyof typeof KEY_USAGE_BITS;

/**
 * pkijs writes sha256WithRSAEncryption as `SEQUENCE { OID }`, but RFC 4055 §5 and RFC 8017
 * A.2.4 require the parameters to be present and NULL for the PKCS #1 v1.5 signature
 * algorithms. ECDSA (RFC 5758 §3.2: parameters absent) and RSA-PSS (its own parameters) are left
 * as pkijs makes them. pkijs puts the one returned AlgorithmIdentifier in both the TBS `signature`
 * field and the outer `signatureAlgorithm` (and in a SignerInfo's signatureAlgorithm).
 */
class X509CryptoEngine extends pkijs.CryptoEngine {
  override async getSignatureParameters(privateKey: CryptoKey, hashAlgorithm?: string): Promise<pkijs.CryptoEngineSignatureParams> {
    const result = await super.getSignatureParameters(privateKey, hashAlgorithm);
    if (privateKey.algorithm.name.toUpperCase() === 'RSASSA-PKCS1-V1_5' && result.signatureAlgorithm.algorithmParams === undefined) {
      result.signatureAlgorithm.algorithmParams = new asn1js.Null();
    }
    return result;
  }
}

/**
 * A pkijs engine bound to Node's WebCrypto, passed explicitly instead of pkijs' global engine.
 * Its RSA PKCS #1 v1.5 signature AlgorithmIdentifiers carry the NULL parameters (RFC 4055 §5).
 */
export function createCryptoEngine(): pkijs.CryptoEngine {
  return new X509CryptoEngine({ name: 'node-webcrypto', crypto: globalThis.crypto });
}

/**
 * RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on. Milliseconds are dropped
 * so that the encoded value round-trips exactly.
 */
export function buildTime(date: Date): pkijs.Time {
  const value = new Date(Math.floor(date.getTime() / 1000) * 1000);
  const type = value.getUTCFullYear() < 2050 ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime;
  return new pkijs.Time({ type, value });
}

/** A distinguished name; CN and O as UTF8String, emailAddress as IA5String (PKCS #9). */
export function buildName(parts: {
  commonName: string;
  organization?: string | undefined;
  emailAddress?: string | undefined;
}): pkijs.RelativeDistinguishedNames {
  const typesAndValues: pkijs.AttributeTypeAndValue[] = [];
  if (parts.organization) {
    typesAndValues.push(
      new pkijs.AttributeTypeAndValue({
        type: OID.organizationName,
        value: new asn1js.Utf8String({ value: parts.organization }),
      }),
    );
  }
  typesAndValues.push(
    new pkijs.AttributeTypeAndValue({
      type: OID.commonName,
      value: new asn1js.Utf8String({ value: parts.commonName }),
    }),
  );
  if (parts.emailAddress) {
    typesAndValues.push(
      new pkijs.AttributeTypeAndValue({
        type: OID.emailAddress,
        value: new asn1js.IA5String({ value: parts.emailAddress }),
      }),
    );
  }
  // pkijs would put every attribute in one multi-valued RDN; encode one SET per attribute and
  // parse it back so the object keeps (and re-emits) exactly these bytes.
  const der = new asn1js.Sequence({
    value: typesAndValues.map((tv) => new asn1js.Set({ value: [tv.toSchema()] })),
  }).toBER(false);
  return pkijs.RelativeDistinguishedNames.fromBER(der);
}

/** Encodes key usage names as a minimal DER BIT STRING (trailing zero bits counted as unused). */
export function buildKeyUsage(usages: readonly KeyUsageName[]): asn1js.BitString {
  let bits = 0;
  for (const usage of usages) bits |= 0x80 >> KEY_USAGE_BITS[usage];
  const byte = bits & 0xff;
  let unusedBits = 0;
  while (unusedBits < 8 && byte !== 0 && ((byte >> unusedBits) & 1) === 0) unusedBits++;
  return new asn1js.BitString({ valueHex: new Uint8Array([byte]).buffer, unusedBits });
}

/** Wraps an ASN.1 value as an X.509 extension. */
export function buildExtension(
  extnID: string,
  critical: boolean,
  value: { toSchema(): asn1js.AsnType } | asn1js.AsnType,
): pkijs.Extension {
  const schema = 'toSchema' in value ? value.toSchema() : value;
  return new pkijs.Extension({ extnID, critical, extnValue: schema.toBER(false) });
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents. */
export async function computeKeyIdentifier(spki: pkijs.PublicKeyInfo): Promise<Uint8Array> {
  const keyBits = spki.subjectPublicKey.valueBlock.valueHexView;
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', toBytes(keyBits)));
}

/** Copies the bytes of an ArrayBuffer-like into a fresh Uint8Array. */
export function toBytes(buffer: ArrayBuffer | ArrayBufferView): Uint8Array<ArrayBuffer> {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer.slice(0));
  const out = new Uint8Array(buffer.byteLength);
  out.set(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  return out;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Parses hex (even length, optional colons) into bytes; throws on anything else. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/:/g, '');
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(clean)) throw new Error('invalid hex string');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
