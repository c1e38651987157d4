/**
 * Issues an end-entity S/MIME certificate from the built-in CA. The certificate is written
 * directly as DER (a fixed shape, like the SCEP replies) and signed with node:crypto in the
 * thread pool: the pkijs object model cost more main-thread time than the CA signature itself.
 * The bytes are those the pkijs builder writes with our engine (issue-certificate-der.test.ts
 * compares them).
 */
import { createHash, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { AppError } from '../errors.ts';
import type { CaSigner } from './ca.ts';
import { type CertPurpose, profileFor, subjectKeyType } from './profiles.ts';
import { children, contents, DerError, der, encoding, expectTag, NULL, octets, oid, oidDer, readRoot, seq, set, type Tlv } from './scep/der.ts';
import { assertValidSerial, randomSerial } from './serial.ts';
import { KEY_USAGE_BITS, type KeyUsageName, OID } from './x509-builders.ts';

const signAsync = promisify(sign);

export interface IssueCertificateRequest {
  /** Subject public key (SubjectPublicKeyInfo DER) from a CSR or a server-generated key. */
  spkiDer: Uint8Array;
  /** The user's mailbox, bound in SAN rfc822Name (whatever a CSR may have asked for). */
  email: string;
  displayName?: string | null | undefined;
  purpose: CertPurpose;
  notBefore: Date;
  notAfter: Date;
  /** Defaults to 16 random bytes; the store enforces uniqueness too. */
  serial?: Uint8Array | undefined;
  crlUrl: string;
  /** Also put the mailbox in the subject as emailAddress (legacy clients read it). Default true. */
  subjectEmailAddress?: boolean | undefined;
}

// Deliberately strict: ASCII mailbox only (SmtpUTF8Mailbox would need otherName, RFC 8398).
const EMAIL_PATTERN = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/**
 * Builds and signs the certificate: subject CN = display name or email, SAN rfc822Name = email,
 * key usage per purpose profile (critical), EKU emailProtection, AKI/SKI, CRL distribution point,
 * basicConstraints CA:false. Returns the certificate DER.
 */
export async function issueCertificate(ca: CaSigner, request: IssueCertificateRequest): Promise<Uint8Array> {
  if (!EMAIL_PATTERN.test(request.email) || request.email.length > 254) {
    throw new AppError('validation_failed', 'email is not a valid ASCII mailbox');
  }
  if (!(request.notBefore.getTime() < request.notAfter.getTime())) {
    throw new AppError('validation_failed', 'notBefore must be before notAfter');
  }
  if (!/^https?:\/\/\S+$/.test(request.crlUrl)) {
    throw new AppError('validation_failed', 'crlUrl must be an http(s) URL');
  }
  const serial = request.serial ?? randomSerial();
  assertValidSerial(serial);

  const key = checkSubjectKey(request.spkiDer);
  const profile = profileFor(request.purpose, key.keyType);
  const issuer = issuerPartsOf(ca);
  const displayName = request.displayName?.trim();
  const ascii = (value: string) => new TextEncoder().encode(value);
  const extensions = [
    extension(OID.basicConstraints, true, seq()),
    extension(OID.keyUsage, true, keyUsageBits(profile.keyUsage)),
    extension(OID.extKeyUsage, false, seq(...profile.extKeyUsage.map(oidDer))),
    extension(OID.subjectAltName, false, seq(der(0x81, ascii(request.email)))),
    extension(OID.subjectKeyIdentifier, false, octets(createHash('sha1').update(key.subjectPublicKey).digest())),
    issuer.authorityKeyIdentifier,
    // DistributionPoint { distributionPoint [0] { fullName [0] { uniformResourceIdentifier [6] } } }
    extension(OID.crlDistributionPoints, false, seq(seq(der(0xa0, der(0xa0, der(0x86, ascii(request.crlUrl))))))),
  ];
  const tbs = seq(
    VERSION_3,
    der(0x02, serial),
    issuer.signatureAlgorithm,
    issuer.name,
    seq(time(request.notBefore), time(request.notAfter)),
    buildSubject(displayName || request.email, request.subjectEmailAddress === false ? undefined : request.email),
    key.spkiDer,
    der(0xa3, seq(...extensions)),
  );
  const signature = await signAsync('sha256', tbs, ca.keyObject);
  return seq(tbs, issuer.signatureAlgorithm, der(0x03, new Uint8Array([0]), signature));
}

const VERSION_3 = der(0xa0, new Uint8Array([0x02, 0x01, 0x02]));
const TRUE = new Uint8Array([0x01, 0x01, 0xff]);
// RFC 4055 §5 / RFC 8017 A.2.4: parameters present and NULL (certificates issued before this
// lack the NULL and stay as they are); RFC 5758 §3.2: ECDSA parameters absent.
const SHA256_WITH_RSA = seq(oidDer('1.2.840.113549.1.1.11'), NULL);
const ECDSA_WITH_SHA256 = seq(oidDer('1.2.840.10045.4.3.2'));

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
function extension(extnId: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oidDer(extnId), TRUE, octets(value)) : seq(oidDer(extnId), octets(value));
}

/** Key usage as a minimal DER BIT STRING (trailing zero bits counted as unused), as buildKeyUsage. */
function keyUsageBits(usages: readonly KeyUsageName[]): Uint8Array {
  let byte = 0;
  for (const usage of usages) byte |= 0x80 >> KEY_USAGE_BITS[usage];
  let unusedBits = 0;
  while (unusedBits < 8 && byte !== 0 && ((byte >> unusedBits) & 1) === 0) unusedBits++;
  return der(0x03, new Uint8Array([unusedBits, byte]));
}

/** One RDN per attribute: CN as UTF8String, emailAddress as IA5String (PKCS #9), as buildName. */
function buildSubject(commonName: string, emailAddress: string | undefined): Uint8Array {
  const rdn = (type: string, value: Uint8Array) => set(seq(oidDer(type), value));
  const rdns = [rdn(OID.commonName, der(0x0c, new TextEncoder().encode(commonName)))];
  if (emailAddress) rdns.push(rdn(OID.emailAddress, der(0x16, new TextEncoder().encode(emailAddress))));
  return seq(...rdns);
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on; whole seconds. */
function time(date: Date): Uint8Array {
  const d = new Date(Math.floor(date.getTime() / 1000) * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  const rest = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  const year = d.getUTCFullYear();
  if (year < 2050) return der(0x17, new TextEncoder().encode(`${two(year % 100)}${rest}`));
  return der(0x18, new TextEncoder().encode(`${String(year).padStart(4, '0')}${rest}`));
}

interface IssuerParts {
  /** The CA's subject Name, byte for byte as in its certificate. */
  name: Uint8Array;
  signatureAlgorithm: Uint8Array;
  authorityKeyIdentifier: Uint8Array;
}

// What every certificate of one CA repeats, derived once per loaded CA.
const issuerCache = new WeakMap<CaSigner, IssuerParts>();

function issuerPartsOf(ca: CaSigner): IssuerParts {
  let parts = issuerCache.get(ca);
  if (!parts) {
    const tbs = children(expectTag(children(expectTag(readRoot(ca.certificateDer), 0x30, 'certificate'))[0], 0x30, 'tbsCertificate'));
    const at = tbs[0]?.tag === 0xa0 ? 1 : 0;
    parts = {
      name: new Uint8Array(encoding(expectTag(tbs[at + 4], 0x30, 'subject'))),
      signatureAlgorithm: ca.keyAlgorithm === 'EC-P256' ? ECDSA_WITH_SHA256 : SHA256_WITH_RSA,
      authorityKeyIdentifier: extension(OID.authorityKeyIdentifier, false, seq(der(0x80, ca.subjectKeyIdentifier))),
    };
    issuerCache.set(ca, parts);
  }
  return parts;
}

export interface SubjectKey {
  /** The SubjectPublicKeyInfo re-encoded as DER (what the certificate carries). */
  spkiDer: Uint8Array;
  keyType: 'rsa' | 'ec';
  /** The subjectPublicKey BIT STRING contents without the unused-bits byte (hashed for the SKI). */
  subjectPublicKey: Uint8Array;
}

/**
 * Parses a SubjectPublicKeyInfo and checks it is a key we certify (RSA ≥ 2048, EC P-256/P-384).
 * Exported so that SCEP can refuse a request before consuming its challenge.
 */
export function checkSubjectKey(spkiDer: Uint8Array): SubjectKey {
  let algorithmId: string;
  let params: Tlv | undefined;
  let bits: Uint8Array;
  let canonical: Uint8Array;
  try {
    const root = expectTag(readRoot(spkiDer), 0x30, 'SubjectPublicKeyInfo');
    const [algorithm, subjectPublicKey, extra] = children(root);
    const algorithmParts = children(expectTag(algorithm, 0x30, 'algorithm'));
    if (extra || algorithmParts.length > 2) throw new DerError('unexpected element');
    algorithmId = oid(expectTag(algorithmParts[0], 0x06, 'algorithm'));
    params = algorithmParts[1];
    bits = contents(expectTag(subjectPublicKey, 0x03, 'subjectPublicKey'));
    if (bits.length === 0 || bits[0]! > 7) throw new DerError('bad BIT STRING');
    canonical = toDer(root);
  } catch (cause) {
    throw new AppError('csr_invalid', 'subject public key is not a valid SubjectPublicKeyInfo', { cause });
  }
  const keyType = subjectKeyType(algorithmId);
  const subjectPublicKey = bits.subarray(1);
  if (keyType === 'rsa') {
    if (rsaModulusBits(subjectPublicKey) < 2048) throw new AppError('csr_invalid', 'RSA keys must be at least 2048 bits');
  } else {
    const curve = params?.tag === 0x06 ? oid(params) : '';
    if (curve !== '1.2.840.10045.3.1.7' && curve !== '1.3.132.0.34') {
      throw new AppError('csr_invalid', 'EC keys must be on P-256 or P-384');
    }
  }
  return { spkiDer: canonical, keyType, subjectPublicKey: new Uint8Array(subjectPublicKey) };
}

/** Byte length × 8 of the RSAPublicKey modulus (without a sign byte); 0 when it does not parse. */
function rsaModulusBits(key: Uint8Array): number {
  try {
    const modulus = contents(expectTag(children(expectTag(readRoot(key), 0x30, 'RSAPublicKey'))[0], 0x02, 'modulus'));
    return (modulus[0] === 0 ? modulus.length - 1 : modulus.length) * 8;
  } catch {
    return 0;
  }
}

/** Re-encodes an element with definite minimal lengths (BER input from a CSR becomes DER). */
function toDer(tlv: Tlv): Uint8Array {
  if ((tlv.tag & 0x20) === 0) return der(tlv.tag, contents(tlv));
  return der(tlv.tag, ...children(tlv).map(toDer));
}
