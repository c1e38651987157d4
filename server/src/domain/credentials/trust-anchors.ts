import { type KeyObject, X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';

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
      let current = parse(leafDer);
      if (!current) return false;
      if ((bySubject.get(current.subject) ?? []).some((a) => a.fingerprint256 === current?.fingerprint256)) return true;
      const pool = chain.map(parseChain).filter((c): c is X509Certificate => c !== null);
      for (let depth = 0; depth < 8; depth++) {
        const node: X509Certificate = current;
        if ((bySubject.get(node.issuer) ?? []).some((anchor) => issuedBy(node, anchor, keyOf))) return true;
        const next = pool.find((c) => c !== node && c.subject === node.issuer && issuedBy(node, c, keyOf));
        if (!next) return false;
        current = next;
      }
      return false;
    },
  };
}
