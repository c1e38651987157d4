/**
 * Picks the identity (private key + its certificate + the chain) out of a PKCS#12 file. The
 * certificate is paired with the key by localKeyId when the file has one, and always confirmed
 * by comparing public keys, because files edited by hand or by tools do lie.
 */

import { bytesEqual, toHex } from './bytes.ts';
import { type CertificateInfo, certificateInfoOf } from './certificate-info.ts';
import { type AsnNode, children, decodeAsn1, isTag } from './der.ts';
import { publicKeyIdOfPkcs8, publicKeyIdOfSpki } from './key-match.ts';
import { decodePkcs12, type Pkcs12Bag } from './pkcs12-read.ts';
import { isPkiError, PkiError } from './pki-error.ts';

/** A private key with the certificate it belongs to and the other certificates of its chain. */
export interface Pkcs12Identity {
  privateKeyPkcs8: Uint8Array;
  certificate: Uint8Array;
  /** Issuer first, walking up towards the root; then any other non-leaf certificates. */
  chain: Uint8Array[];
  friendlyName: string | null;
}

/** An identity with the facts of its certificate (see the `certificateInfo` option). */
export interface Pkcs12IdentityWithInfo extends Pkcs12Identity {
  info: CertificateInfo;
}

export interface ExtractIdentityOptions {
  /**
   * Also read the certificate's facts (as parseCertificate does) from the ASN.1 tree that key
   * matching already decoded, instead of decoding the certificate again afterwards.
   */
  certificateInfo?: boolean;
}

interface CertEntry {
  bag: Pkcs12Bag;
  /** Decoded once, shared by key matching, chain building and certificateInfo. */
  tree?: AsnNode;
  keyId?: string;
  names?: { issuer: string; subject: string };
}

function treeOf(entry: CertEntry): AsnNode {
  entry.tree ??= decodeAsn1(entry.bag.der, 'der_invalid', 'A certificate in the file is not valid DER.');
  return entry.tree;
}

/** The fields of tbsCertificate after the optional [0] version: serial, signature, issuer… */
function tbsFields(entry: CertEntry): AsnNode[] {
  const tbs = children(children(treeOf(entry), 'certificate')[0], 'certificate body');
  return tbs.slice(isTag(tbs[0], 3, 0) ? 1 : 0);
}

function keyIdOf(entry: CertEntry): string {
  if (entry.keyId === undefined) {
    let spki: AsnNode | undefined;
    try {
      spki = tbsFields(entry)[5];
    } catch (err) {
      // A malformed certificate is a DER problem, as spkiOfCertificate reports it.
      if (isPkiError(err) && err.code === 'pkcs12_not_pkcs12') throw new PkiError('der_invalid', err.message, { cause: err });
      throw err;
    }
    if (!spki) throw new PkiError('der_invalid', 'The certificate has no public key.');
    entry.keyId = publicKeyIdOfSpki(spki.valueBeforeDecodeView);
  }
  return entry.keyId;
}

function namesOf(entry: CertEntry): { issuer: string; subject: string } {
  if (!entry.names) {
    const tbs = tbsFields(entry);
    const issuer = tbs[2];
    const subject = tbs[4];
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
 * decoding errors of decodePkcs12, and der_invalid for a damaged certificate). With
 * `{ certificateInfo: true }` each identity also carries its certificate's CertificateInfo.
 */
export async function extractIdentities(bytes: Uint8Array, password: string): Promise<Pkcs12Identity[]>;
export async function extractIdentities(bytes: Uint8Array, password: string, options: { certificateInfo: true }): Promise<Pkcs12IdentityWithInfo[]>;
export async function extractIdentities(bytes: Uint8Array, password: string, options?: ExtractIdentityOptions): Promise<Pkcs12Identity[]>;
export async function extractIdentities(bytes: Uint8Array, password: string, options: ExtractIdentityOptions = {}): Promise<Pkcs12Identity[]> {
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
  return pairs.map(({ key, cert }) => {
    const identity: Pkcs12Identity = {
      privateKeyPkcs8: key.der,
      certificate: cert.bag.der,
      chain: buildChain(cert, certs, leaves),
      friendlyName: key.friendlyName ?? cert.bag.friendlyName,
    };
    return options.certificateInfo ? { ...identity, info: certificateInfoOf(treeOf(cert), cert.bag.der) } : identity;
  });
}

/**
 * The identity of a PKCS#12 file: the first private key that has its certificate, that
 * certificate, and the chain. See extractIdentities for the errors and the options.
 */
export async function extractIdentity(bytes: Uint8Array, password: string): Promise<Pkcs12Identity>;
export async function extractIdentity(bytes: Uint8Array, password: string, options: { certificateInfo: true }): Promise<Pkcs12IdentityWithInfo>;
export async function extractIdentity(bytes: Uint8Array, password: string, options?: ExtractIdentityOptions): Promise<Pkcs12Identity>;
export async function extractIdentity(bytes: Uint8Array, password: string, options: ExtractIdentityOptions = {}): Promise<Pkcs12Identity> {
  const [first] = await extractIdentities(bytes, password, options);
  return first!;
}
