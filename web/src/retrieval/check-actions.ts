import { fromBase64 } from '../../../shared/pki/bytes.ts';
import { type DecryptResult, decryptSmime } from '../../../shared/smime/cms-decrypt.ts';
import { encryptSmime } from '../../../shared/smime/cms-encrypt.ts';
import { signSmime } from '../../../shared/smime/cms-sign.ts';
import { type VerifyResult, verifySmime } from '../../../shared/smime/cms-verify.ts';
import { candidateFromEnvelope } from '../../../shared/smime/envelope-candidate.ts';
import { isSmimeError } from '../../../shared/smime/smime-error.ts';
import { deviceFetch } from '../device/device-client.ts';
import { defaultSigningEntry, encryptionHistoryOf, type KeychainEntry, type KeychainMeta } from '../keychain/certificate-store.ts';
import type { DeviceRecord } from '../keychain/device-store.ts';

export interface OpenedMessage {
  /** Set when the message was encrypted: the entity inside and the certificate that opened it. */
  decrypted: (DecryptResult & { entry: KeychainEntry }) | null;
  /** Set when the message (or what was inside the encryption) is signed. */
  verified: VerifyResult | null;
  /** The readable MIME entity (after decryption and signature unwrapping). */
  text: string;
}

const SIGNED = /^(multipart\/signed|application\/(x-)?pkcs7-mime)/;

/**
 * Opens an S/MIME message with the keychain: decrypts with any certificate of the encryption
 * history (OAEP with the envelope opened into a non-extractable key, PKCS#1 v1.5 with the
 * envelope opened in memory for that one decryption), then verifies a signature inside or on
 * the message itself. Throws SmimeError (smime_no_recipient, smime_not_signed, …).
 */
export async function openMessage(bytes: Uint8Array, record: DeviceRecord, entries: KeychainEntry[], meta: KeychainMeta): Promise<OpenedMessage> {
  const history = encryptionHistoryOf(entries).filter((e) => e.envelope);
  const candidates = history.map((e) =>
    candidateFromEnvelope({ certificate: e.certificate, envelope: e.envelope!, devicePrivateKey: record.transport.privateKey, deviceId: e.deviceId, thumbprint: e.thumbprint }),
  );
  let inner = bytes;
  let decrypted: OpenedMessage['decrypted'] = null;
  try {
    const result = await decryptSmime(bytes, candidates);
    decrypted = { ...result, entry: history[result.recipient.index]! };
    inner = result.plaintext;
  } catch (error) {
    if (!isSmimeError(error, 'smime_not_encrypted')) throw error;
  }
  const anchors = [...meta.trustAnchors, ...entries.flatMap((e) => e.chain)];
  let verified: VerifyResult | null = null;
  const type = decrypted ? decrypted.contentType : 'unknown';
  if (!decrypted || SIGNED.test(type)) {
    try {
      verified = await verifySmime(inner, anchors);
      inner = verified.content;
    } catch (error) {
      if (!decrypted || !isSmimeError(error, 'smime_not_signed')) throw error;
    }
  }
  return { decrypted, verified, text: new TextDecoder().decode(inner) };
}

/** Signs a short test message with the default signing certificate (SHA-256, multipart/signed). */
export async function signTestMessage(entries: KeychainEntry[], meta: KeychainMeta, options: { text: string; from: string; to?: string }): Promise<{ eml: string; entry: KeychainEntry }> {
  const entry = defaultSigningEntry(entries, meta);
  if (!entry) throw new Error('no valid signing certificate in the keychain');
  const eml = await signSmime({
    content: `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${options.text}`,
    certificate: entry.certificate,
    chain: entry.chain,
    privateKey: entry.privateKey,
    from: options.from,
    to: options.to,
    subject: 'S/MIME test message',
  });
  return { eml, entry };
}

export interface DirectoryAnswer {
  email: string;
  status: 'found' | 'unknown_user' | 'no_certificate' | 'expired';
  certificate?: Uint8Array;
  notAfter?: string;
}

/** Looks up recipients' current encryption certificates in the portal directory. */
export async function lookupDirectory(record: DeviceRecord, emails: string[]): Promise<DirectoryAnswer[]> {
  const query = emails.map((e) => `email=${encodeURIComponent(e)}`).join('&');
  const res = await deviceFetch(record, `/api/device/directory?${query}`);
  const { items } = (await res.json()) as { items: { email: string; status: DirectoryAnswer['status']; certificate?: string; notAfter?: string }[] };
  return items.map((i) => {
    if (i.status !== 'found' || !i.certificate) return { email: i.email, status: i.status };
    if (i.notAfter && Date.parse(i.notAfter) < Date.now()) return { email: i.email, status: 'expired' };
    return { email: i.email, status: 'found', certificate: fromBase64(i.certificate), notAfter: i.notAfter };
  });
}

/**
 * Encrypts a test message to recipients that all have a valid certificate (plus the sender's
 * current certificate, so the sent copy opens). Refuses while any recipient lacks one, as
 * Outlook does: the caller lists them and the user removes them first.
 */
export async function encryptToRecipients(recipients: DirectoryAnswer[], own: KeychainEntry | null, options: { text: string; from: string }): Promise<string> {
  const missing = recipients.filter((r) => r.status !== 'found');
  if (missing.length) throw new Error(`remove the recipients without a valid certificate first: ${missing.map((r) => r.email).join(', ')}`);
  const certs = recipients.map((r) => r.certificate!);
  if (own) certs.push(own.certificate);
  return encryptSmime({
    content: `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${options.text}`,
    recipients: certs,
    from: options.from,
    to: recipients.map((r) => r.email),
    subject: 'S/MIME test message',
  });
}
