/**
 * Reads PKCS#12 (.p12/.pfx) files as admins really have them: OpenSSL 3 defaults (PBES2 AES-256),
 * OpenSSL `-legacy` (RC2-40 certificates, 3DES keys), Windows-style 3DES, unencrypted
 * certificates, and BER (indefinite-length) encodings. The MAC is verified before anything is
 * decrypted so that a wrong password is reported as such.
 */

import * as asn1js from 'asn1js';
import { type AsnNode, children, decodeAsn1, declaredLengthExceeds, intOf, octetsOf, oidOf } from './der.ts';
import { OID } from './oids.ts';
import { isContext0, type PasswordContext, pbeDecrypt } from './pkcs12-crypto.ts';
import { bmpPassword, legacyBmpPassword } from './pkcs12-kdf.ts';
import { verifyPkcs12Mac } from './pkcs12-mac.ts';
import { PkiError } from './pki-error.ts';

/** One key or certificate bag with the attributes that pair keys with certificates. */
export interface Pkcs12Bag {
  der: Uint8Array;
  localKeyId: Uint8Array | null;
  friendlyName: string | null;
}

/** Everything a PKCS#12 file holds that we use: PKCS#8 keys and X.509 certificates. */
export interface Pkcs12Contents {
  keys: Pkcs12Bag[];
  certificates: Pkcs12Bag[];
}

function wrongPassword(): PkiError {
  return new PkiError('pkcs12_wrong_password', 'The password is not the one this file was protected with.');
}

/** Encodings of the password to try, best first (see RFC 7292 Appendix B.1 and OpenSSL quirks). */
function passwordCandidates(password: string): Uint8Array[] {
  const list = [bmpPassword(password)];
  // OpenSSL treats an empty password as "no password" (zero bytes) when it wrote or checks the file.
  if (password === '') list.push(new Uint8Array(0));
  // OpenSSL before 1.1.0 widened UTF-8 bytes instead of converting to UTF-16.
  else if ([...password].some((c) => c.charCodeAt(0) > 0x7f)) list.push(legacyBmpPassword(password));
  return list;
}

function parsePfx(bytes: Uint8Array): { authSafe: Uint8Array; macData: AsnNode | undefined } {
  if (bytes.length === 0 || bytes[0] !== 0x30) {
    throw new PkiError('pkcs12_not_pkcs12', 'The file is not a PKCS#12 (.p12/.pfx) file.');
  }
  if (declaredLengthExceeds(bytes)) {
    throw new PkiError('pkcs12_truncated', 'The file is incomplete: it ends before its declared length. Copy or download it again.');
  }
  let pfx: AsnNode;
  try {
    pfx = decodeAsn1(bytes, 'pkcs12_not_pkcs12', 'The file is not a PKCS#12 (.p12/.pfx) file.');
  } catch (err) {
    const cause = err instanceof Error ? String(err.cause) : '';
    if (/end of input/i.test(cause)) {
      throw new PkiError('pkcs12_truncated', 'The file is incomplete: it ends in the middle of its content.', { cause: err });
    }
    throw err;
  }
  const [version, authSafeInfo, macData] = children(pfx, 'PKCS#12 file');
  if (!(version instanceof asn1js.Integer) || intOf(version, 'PKCS#12 version') !== 3) {
    throw new PkiError('pkcs12_not_pkcs12', 'The file is not a PKCS#12 (.p12/.pfx) file (unknown version).');
  }
  const [typeNode, wrapped] = children(authSafeInfo, 'PKCS#12 content');
  const type = oidOf(typeNode, 'PKCS#12 content type');
  if (type === OID.signedData) {
    throw new PkiError('pkcs12_unsupported', 'The file is protected with a public-key signature instead of a password; this is not supported.');
  }
  if (type !== OID.data || !isContext0(wrapped)) {
    throw new PkiError('pkcs12_not_pkcs12', 'The file is not a PKCS#12 (.p12/.pfx) file.');
  }
  return { authSafe: octetsOf(children(wrapped, 'PKCS#12 content')[0], 'PKCS#12 content'), macData };
}

function readAttributes(attrs: AsnNode | undefined): { localKeyId: Uint8Array | null; friendlyName: string | null } {
  let localKeyId: Uint8Array | null = null;
  let friendlyName: string | null = null;
  if (!(attrs instanceof asn1js.Set)) return { localKeyId, friendlyName };
  for (const attr of attrs.valueBlock.value) {
    const [typeNode, values] = children(attr, 'bag attribute');
    const type = oidOf(typeNode, 'bag attribute type');
    const first = children(values, 'bag attribute values')[0];
    if (type === OID.localKeyId && first) localKeyId = octetsOf(first, 'localKeyId').slice();
    if (type === OID.friendlyName && first instanceof asn1js.BmpString) friendlyName = first.valueBlock.value;
  }
  return { localKeyId, friendlyName };
}

/** Walks SafeContents, decrypting shrouded keys; pushes decryption work into `pending`. */
function readSafeContents(node: AsnNode, pw: PasswordContext, out: Pkcs12Contents, pending: Promise<void>[]): void {
  for (const bag of children(node, 'safe contents')) {
    const [idNode, wrapper, attrs] = children(bag, 'safe bag');
    const bagId = oidOf(idNode, 'safe bag type');
    const value = children(wrapper, 'safe bag value')[0];
    if (!value) continue;
    const attributes = readAttributes(attrs);
    if (bagId === OID.keyBag) {
      out.keys.push({ der: value.valueBeforeDecodeView.slice(), ...attributes });
    } else if (bagId === OID.pkcs8ShroudedKeyBag) {
      const [alg, data] = children(value, 'encrypted private key');
      const slot: Pkcs12Bag = { der: new Uint8Array(0), ...attributes };
      out.keys.push(slot);
      pending.push(
        pbeDecrypt(alg, octetsOf(data, 'encrypted private key'), pw).then((plain) => {
          // Without a MAC, a wrong password can still pass the padding check 1 time in 256.
          if (plain?.[0] !== 0x30) throw wrongPassword();
          slot.der = plain.slice();
        }),
      );
    } else if (bagId === OID.certBag) {
      const [certType, certWrapper] = children(value, 'certificate bag');
      if (oidOf(certType, 'certificate type') !== OID.x509Certificate) continue;
      const certValue = children(certWrapper, 'certificate')[0];
      out.certificates.push({ der: octetsOf(certValue, 'certificate').slice(), ...attributes });
    } else if (bagId === OID.safeContentsBag) {
      readSafeContents(value, pw, out, pending);
    }
    // CRL and secret bags carry nothing we use.
  }
}

async function readAuthenticatedSafe(authSafe: Uint8Array, pw: PasswordContext): Promise<Pkcs12Contents> {
  const out: Pkcs12Contents = { keys: [], certificates: [] };
  const pending: Promise<void>[] = [];
  const infos = children(decodeAsn1(authSafe, 'pkcs12_not_pkcs12', 'The PKCS#12 content is damaged.'), 'PKCS#12 content');
  for (const info of infos) {
    const [typeNode, wrapped] = children(info, 'PKCS#12 part');
    const type = oidOf(typeNode, 'PKCS#12 part type');
    const inner = children(wrapped, 'PKCS#12 part')[0];
    if (type === OID.data) {
      const der = octetsOf(inner, 'PKCS#12 part');
      readSafeContents(decodeAsn1(der, 'pkcs12_not_pkcs12', 'The PKCS#12 content is damaged.'), pw, out, pending);
    } else if (type === OID.encryptedData) {
      const eci = children(children(inner, 'encrypted part')[1], 'encrypted part');
      const [, alg, content] = eci;
      if (!content) continue;
      pending.push(
        pbeDecrypt(alg, octetsOf(content, 'encrypted part'), pw).then((plain) => {
          if (plain?.[0] !== 0x30) throw wrongPassword();
          const nested: Promise<void>[] = [];
          readSafeContents(decodeAsn1(plain, 'pkcs12_wrong_password', wrongPassword().message), pw, out, nested);
          return Promise.all(nested).then(() => undefined);
        }),
      );
    } else if (type === OID.envelopedData) {
      throw new PkiError('pkcs12_unsupported', 'Part of the file is encrypted to a certificate instead of a password; this is not supported.');
    }
  }
  await Promise.all(pending);
  return out;
}

/**
 * Decodes a PKCS#12 file into its key and certificate bags, with localKeyId and friendlyName.
 * Throws PkiError: pkcs12_not_pkcs12, pkcs12_truncated, pkcs12_wrong_password, pkcs12_unsupported.
 */
export async function decodePkcs12(bytes: Uint8Array, password: string): Promise<Pkcs12Contents> {
  const { authSafe, macData } = parsePfx(bytes);
  const candidates = passwordCandidates(password);
  const utf8 = new TextEncoder().encode(password);
  if (macData) {
    const bmp = verifyPkcs12Mac(macData, authSafe, candidates);
    if (!bmp) throw wrongPassword();
    return readAuthenticatedSafe(authSafe, { bmp, utf8 });
  }
  // No MAC (`-nomac`): the only check left is decryption, so try each encoding in turn.
  let lastError: unknown;
  for (const bmp of candidates) {
    try {
      return await readAuthenticatedSafe(authSafe, { bmp, utf8 });
    } catch (err) {
      if (!(err instanceof PkiError && err.code === 'pkcs12_wrong_password')) throw err;
      lastError = err;
    }
  }
  throw lastError;
}

/**
 * Reads a PKCS#12 file: every private key (PKCS#8 DER) and every certificate (DER) it holds.
 */
export async function readPkcs12(
  bytes: Uint8Array,
  password: string,
): Promise<{ keys: Uint8Array[]; certificates: Uint8Array[] }> {
  const contents = await decodePkcs12(bytes, password);
  return { keys: contents.keys.map((k) => k.der), certificates: contents.certificates.map((c) => c.der) };
}

export { extractIdentities, extractIdentity, type Pkcs12Identity } from './pkcs12-identity.ts';
