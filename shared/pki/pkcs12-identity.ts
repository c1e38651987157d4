/**
 * Picks the identity (private key + its certificate + the chain) out of a PKCS#12 file. The
 * certificate is paired with the key by localKeyId when the file has one, and always confirmed
 * by comparing public keys, because files edited by hand or by tools do lie.
 */

import { bytesEqual, toHex } from './bytes.ts';
import { children, decodeAsn1, isTag } from './der.ts';
import { publicKeyIdOfPkcs8, publicKeyIdOfSpki, spkiOfCertificate } from './key-match.ts';
import { decodePkcs12, type Pkcs12Bag } from './pkcs12-read.ts';
import { PkiError } from './pki-error.ts';

/** A private key with the certificate it belongs to and the other certificates of its chain. */
export interface Pkcs12Identity {
  privateKeyPkcs8: Uint8Array;
  certificate: Uint8Array;
  /** Issuer first, walking up towards the root; then any other non-leaf certificates. */
  chain: Uint8Array[];
  friendlyName: string | null;
}

interface CertEntry {
  bag: Pkcs12Bag;
  keyId?: string;
  names?: { issuer: string; subject: string };
}

function keyIdOf(entry: CertEntry): string {
  entry.keyId ??= publicKeyIdOfSpki(spkiOfCertificate(entry.bag.der));
  return entry.keyId;
}

function namesOf(entry: CertEntry): { issuer: string; subject: string } {
  if (!entry.names) {
    const cert = decodeAsn1(entry.bag.der, 'der_invalid', 'A certificate in the file is not valid DER.');
    const tbs = children(children(cert, 'certificate')[0], 'certificate body');
    const start = isTag(tbs[0], 3, 0) ? 1 : 0;
    const issuer = tbs[start + 2];
    const subject = tbs[start + 4];
    entry.names = {
      issuer: issuer ? toHex(issuer.valueBeforeDecodeView) : '',
      subject: subject ? toHex(subject.valueBeforeDecodeView) : '',
    };
  }
  return entry.names;
}

/** Orders the chain by following issuer names from the leaf; the rest (except leaves) follow. */
function buildChain(leaf: CertEntry, certs: CertEntry[], leaves: Set<CertEntry>): Uint8Array[] {
  const chain: CertEntry[] = [];
  const used = new Set<CertEntry>([leaf]);
  let current = leaf;
  for (;;) {
    const { issuer, subject } = namesOf(current);
    if (issuer === subject) break; // self-signed: the root
    const next = certs.find((c) => !used.has(c) && namesOf(c).subject === issuer);
    if (!next) break;
    chain.push(next);
    used.add(next);
    current = next;
  }
  for (const c of certs) if (!used.has(c) && !leaves.has(c)) chain.push(c);
  return chain.map((c) => c.bag.der);
}

/**
 * Every identity in a PKCS#12 file, one per private key that has its certificate.
 * Throws PkiError pkcs12_no_key, pkcs12_no_certificate or pkcs12_key_mismatch (plus the
 * decoding errors of decodePkcs12).
 */
export async function extractIdentities(bytes: Uint8Array, password: string): Promise<Pkcs12Identity[]> {
  const contents = await decodePkcs12(bytes, password);
  if (contents.keys.length === 0) {
    throw new PkiError('pkcs12_no_key', 'The file holds no private key, only certificates. Export it again including the private key.');
  }
  if (contents.certificates.length === 0) {
    throw new PkiError('pkcs12_no_certificate', 'The file holds a private key but no certificate. Export it again including the certificate.');
  }
  const certs: CertEntry[] = contents.certificates.map((bag) => ({ bag }));
  const pairs: { key: Pkcs12Bag; cert: CertEntry }[] = [];
  for (const key of contents.keys) {
    const keyId = await publicKeyIdOfPkcs8(key.der);
    const byLocalId = key.localKeyId
      ? certs.find((c) => c.bag.localKeyId && bytesEqual(c.bag.localKeyId, key.localKeyId!))
      : undefined;
    const cert =
      byLocalId && keyIdOf(byLocalId) === keyId ? byLocalId : certs.find((c) => keyIdOf(c) === keyId);
    if (cert) pairs.push({ key, cert });
  }
  if (pairs.length === 0) {
    throw new PkiError('pkcs12_key_mismatch', 'The private key in the file does not belong to any certificate in it.');
  }
  const leaves = new Set(pairs.map((p) => p.cert));
  return pairs.map(({ key, cert }) => ({
    privateKeyPkcs8: key.der,
    certificate: cert.bag.der,
    chain: buildChain(cert, certs, leaves),
    friendlyName: key.friendlyName ?? cert.bag.friendlyName,
  }));
}

/**
 * The identity of a PKCS#12 file: the first private key that has its certificate, that
 * certificate, and the chain. See extractIdentities for the errors.
 */
export async function extractIdentity(bytes: Uint8Array, password: string): Promise<Pkcs12Identity> {
  const [first] = await extractIdentities(bytes, password);
  return first!;
}
