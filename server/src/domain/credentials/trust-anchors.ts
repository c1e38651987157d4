import { createHash, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { children, contents, encoding, expectTag, oid, readRoot } from '../../pki/scep/der.ts';

/** Roots a PKCS#12 chain may end at: the built-in CA(s) and the system's (Mozilla) roots. */
export interface TrustAnchors {
  /** True when `leaf` chains (by name and signature) through `chain` to an anchor. */
  isTrusted(leafDer: Uint8Array, chain: Uint8Array[]): Promise<boolean>;
}

function parse(cert: Uint8Array | string): X509Certificate | null {
  try {
    return new X509Certificate(typeof cert === 'string' ? cert : Buffer.from(cert));
  } catch {
    return null;
  }
}

/** `child` names `parent` as issuer and carries its signature. */
function issuedBy(child: X509Certificate, parent: X509Certificate, keyOf: (c: X509Certificate) => KeyObject): boolean {
  try {
    return child.checkIssued(parent) && child.verify(keyOf(parent));
  } catch {
    return false;
  }
}

/** Digest of the signature algorithms the fast leaf check handles; others take the full path. */
const SIGNATURE_HASH: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

interface LeafParts {
  tbs: Uint8Array;
  hash: string;
  signature: Uint8Array;
  /** base64 of the issuer Name DER. */
  issuer: string;
}

/**
 * The signed part, signature and issuer name of a certificate, read from its DER without
 * building an X509Certificate (which costs more than the check itself in a bulk import).
 * Null for anything unusual (other algorithms, odd encodings): the caller takes the full path.
 */
function leafParts(der: Uint8Array): LeafParts | null {
  try {
    const [tbs, algorithm, signature] = children(expectTag(readRoot(der), 0x30, 'certificate'));
    const fields = children(expectTag(tbs, 0x30, 'tbsCertificate'));
    const at = fields[0]?.tag === 0xa0 ? 1 : 0;
    const hash = SIGNATURE_HASH[oid(expectTag(children(expectTag(algorithm, 0x30, 'signatureAlgorithm'))[0], 0x06, 'algorithm'))];
    // BIT STRING contents: the unused-bits count (0 for a signature), then the signature.
    const bits = contents(expectTag(signature, 0x03, 'signatureValue'));
    if (!hash || !tbs || bits[0] !== 0) return null;
    return { tbs: encoding(tbs), hash, signature: bits.subarray(1), issuer: Buffer.from(encoding(expectTag(fields[at + 2], 0x30, 'issuer'))).toString('base64') };
  } catch {
    return null;
  }
}

/** base64 of a certificate's subject Name DER, for matching a child's issuer byte for byte. */
function subjectKey(cert: X509Certificate): string | null {
  try {
    const fields = children(expectTag(children(expectTag(readRoot(new Uint8Array(cert.raw)), 0x30, 'certificate'))[0], 0x30, 'tbsCertificate'));
    const at = fields[0]?.tag === 0xa0 ? 1 : 0;
    return Buffer.from(encoding(expectTag(fields[at + 4], 0x30, 'subject'))).toString('base64');
  } catch {
    return null;
  }
}

/** Chain certificates remembered per anchor set: a bulk import sees the same CA in every file. */
const MAX_CACHED_CHAIN_CERTIFICATES = 256;

/**
 * Builds the anchors once per process or bulk run (OpenSSL parses the ~150 system roots in a
 * few milliseconds). Dates are not checked here: expiry has its own warning.
 */
export function createTrustAnchors(extraRootsDer: Uint8Array[], options: { systemRoots?: boolean } = {}): TrustAnchors {
  const bySubject = new Map<string, X509Certificate[]>();
  const all = [...extraRootsDer.map(parse), ...(options.systemRoots === false ? [] : rootCertificates.map(parse))];
  for (const cert of all) {
    if (!cert) continue;
    bySubject.set(cert.subject, [...(bySubject.get(cert.subject) ?? []), cert]);
  }

  const anchors = [...bySubject.values()].flat();
  const anchorHashes = new Set(anchors.map((a) => a.fingerprint256.replace(/:/g, '').toLowerCase()));
  const subjectKeys = new WeakMap<X509Certificate, string | null>();
  const subjectKeyOf = (c: X509Certificate) => {
    if (!subjectKeys.has(c)) subjectKeys.set(c, subjectKey(c));
    return subjectKeys.get(c) ?? null;
  };
  const anchorsBySubjectDer = new Map<string, X509Certificate[]>();
  for (const a of anchors) {
    const key = subjectKeyOf(a);
    if (key) anchorsBySubjectDer.set(key, [...(anchorsBySubjectDer.get(key) ?? []), a]);
  }

  // Parsing a chain certificate and materialising its public key (a new KeyObject on every
  // X509Certificate.publicKey access) cost more than the signature check itself.
  const chainCache = new Map<string, X509Certificate | null>();
  const keys = new WeakMap<X509Certificate, KeyObject>();
  const keyOf = (c: X509Certificate) => {
    let key = keys.get(c);
    if (!key) {
      key = c.publicKey;
      keys.set(c, key);
    }
    return key;
  };
  const parseChain = (der: Uint8Array) => {
    const id = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
    let cert = chainCache.get(id);
    if (cert === undefined) {
      cert = parse(der);
      if (chainCache.size >= MAX_CACHED_CHAIN_CERTIFICATES) chainCache.clear();
      chainCache.set(id, cert);
    }
    return cert;
  };

  return {
    async isTrusted(leafDer, chain) {
      const fast = leafParts(leafDer);
      if (!fast) return fullPath(leafDer, chain);
      if (anchorHashes.has(createHash('sha256').update(leafDer).digest('hex'))) return true;
      const signedBy = (c: X509Certificate) => {
        try {
          return verify(fast.hash, fast.tbs, keyOf(c), fast.signature);
        } catch {
          return false;
        }
      };
      if ((anchorsBySubjectDer.get(fast.issuer) ?? []).some(signedBy)) return true;
      const pool = chain.map(parseChain).filter((c): c is X509Certificate => c !== null);
      const issuer = pool.find((c) => subjectKeyOf(c) === fast.issuer && signedBy(c));
      return issuer ? walk(issuer, pool) : false;
    },
  };

  /** From `start` up through `pool` to an anchor, by name and signature (at most 8 steps). */
  function walk(start: X509Certificate, pool: X509Certificate[]): boolean {
    let current = start;
    for (let depth = 0; depth < 8; depth++) {
      const node: X509Certificate = current;
      if ((bySubject.get(node.subject) ?? []).some((a) => a.fingerprint256 === node.fingerprint256)) return true;
      if ((bySubject.get(node.issuer) ?? []).some((anchor) => issuedBy(node, anchor, keyOf))) return true;
      const next = pool.find((c) => c !== node && c.subject === node.issuer && issuedBy(node, c, keyOf));
      if (!next) return false;
      current = next;
    }
    return false;
  }

  /** The whole check through OpenSSL's parser, for leaves the fast path does not read. */
  function fullPath(leafDer: Uint8Array, chain: Uint8Array[]): boolean {
    const leaf = parse(leafDer);
    if (!leaf) return false;
    return walk(leaf, chain.map(parseChain).filter((c): c is X509Certificate => c !== null));
  }
}
