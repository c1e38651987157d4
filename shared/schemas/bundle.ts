/**
 * The delivery bundle: what `GET /api/device/…/bundle` returns to an enrolled device so the PWA
 * can fill its keychain (issue 6, DESIGN.md "Keys: where they live and how they move").
 *
 * Versioning
 * - `version` is an integer. Version 1 is this file. Within a version the server may only ADD
 *   optional fields; the device parses with non-strict objects, so it ignores fields it does not
 *   know. Removing or renaming a field, changing a meaning, or a new envelope algorithm makes a
 *   new version.
 * - A device MUST refuse a bundle whose version it does not know (parseDeliveryBundle does),
 *   rather than guess: it must never store a key it may have misread. It tells the user to
 *   update the app (the PWA reloads its service worker) and retries.
 * - Private keys appear ONLY as `envelope`s sealed to this device's transport key; no field ever
 *   carries plaintext PKCS#8.
 */

import { z } from 'zod';
import { ENVELOPE_ALG } from '../smime/key-envelope.ts';
import { encryptionSettingsSchema, signingSettingsSchema } from './policy.ts';

export const BUNDLE_VERSION = 1 as const;

const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');
const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be base64url without padding');
/** SHA-256 of the certificate DER, lowercase hex: the keychain's identity for a certificate. */
const thumbprint = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex thumbprint');

/** A private key sealed to this device (shared/smime/key-envelope.ts). */
export const keyEnvelopeSchema = z.object({
  /** Envelope format version; only 1 exists. */
  v: z.literal(1),
  /** ECDH-ES P-256 → HKDF-SHA256 (info binds device id + thumbprint) → AES-256-GCM. */
  alg: z.literal(ENVELOPE_ALG),
  /** Server ephemeral P-256 public key, uncompressed point (65 bytes), base64url. */
  epk: base64url.length(87),
  /** AES-GCM nonce (12 bytes), base64url. */
  iv: base64url.length(16),
  /** AES-256-GCM ciphertext + tag of the PKCS#8 private key, base64url. */
  ct: base64url.min(24),
});

export const CREDENTIAL_SOURCES = ['imported', 'issued', 'scep', 'derived', 'userImported'] as const;

/** One certificate with its sealed private key. */
export const credentialSchema = z.object({
  /** SHA-256 of the certificate DER, lowercase hex; also bound into the envelope. */
  thumbprint,
  /** SHA-1 of the certificate DER, lowercase hex, as mail clients display it. */
  sha1: z.string().regex(/^[0-9a-f]{40}$/),
  purpose: z.enum(['smimeEncryption', 'smimeSigning']),
  /** Where the credential came from: admin PKCS#12 import, the built-in CA, SCEP, … */
  source: z.enum(CREDENTIAL_SOURCES),
  /** The certificate, base64 DER. */
  certificate: base64,
  /** Issuing chain without the root, nearest first, base64 DER each. */
  chain: z.array(base64),
  /** Validity, ISO 8601 UTC. */
  notBefore: z.iso.datetime(),
  notAfter: z.iso.datetime(),
  /** The private key sealed to this device; open with openEnvelopeToKey / openEnvelopeToPkcs8. */
  envelope: keyEnvelopeSchema,
});

/** What the device does about its signing certificate, by the policy's signing profile type. */
export const signingInstructionSchema = z.discriminatedUnion('action', [
  /** `scep`: make a key on the device (policy.signing.keyAlgorithm), send a CSR, store the result. */
  z.object({ action: z.literal('csr') }),
  /** `importedPkcs`: install this admin-imported signing credential (shared across devices). */
  z.object({ action: z.literal('install'), credential: credentialSchema }),
  /** `derivedCredential`: use the signing credential already in the device keychain. */
  z.object({ action: z.literal('derived') }),
]);

/** The policy settings the device and its mail client act on. */
export const bundlePolicySchema = z.object({
  /** Signing profile, key algorithm for SCEP keys, renewal threshold (share of lifetime). */
  signing: signingSettingsSchema,
  /** Encryption profile and whether exporting the history as PKCS#12 is allowed. */
  encryption: encryptionSettingsSchema,
  /** Defaults handed to the mail client, and whether the user may change each. */
  signAll: z.boolean(),
  signAllUserChangeAllowed: z.boolean(),
  encryptAll: z.boolean(),
  encryptAllUserChangeAllowed: z.boolean(),
});

export const deliveryBundleSchema = z.object({
  /** Bundle format version; see the versioning rules at the top of this file. */
  version: z.literal(BUNDLE_VERSION),
  /** The device the envelopes are sealed to; must equal the device's own id. */
  device: z.object({ id: z.string().min(1) }),
  /** When the server built the bundle, ISO 8601 UTC. */
  generatedAt: z.iso.datetime().optional(),
  policy: bundlePolicySchema,
  signing: signingInstructionSchema,
  encryption: z.object({
    /** Thumbprint of the certificate senders should encrypt to now; null when there is none. */
    current: thumbprint.nullable(),
    /** Every encryption credential the user ever had, newest first (current included). */
    history: z.array(credentialSchema),
  }),
  /** CA certificates (base64 DER) to verify signed mail and build chains. */
  trustAnchors: z.array(base64),
});

export type KeyEnvelopeJson = z.infer<typeof keyEnvelopeSchema>;
export type Credential = z.infer<typeof credentialSchema>;
export type CredentialSource = (typeof CREDENTIAL_SOURCES)[number];
export type SigningInstruction = z.infer<typeof signingInstructionSchema>;
export type BundlePolicy = z.infer<typeof bundlePolicySchema>;
export type DeliveryBundle = z.infer<typeof deliveryBundleSchema>;

export type BundleParseResult =
  | { ok: true; bundle: DeliveryBundle }
  | { ok: false; reason: 'unsupported_version'; version: unknown }
  | { ok: false; reason: 'invalid'; issues: z.core.$ZodIssue[] };

/**
 * Parses a bundle on the device. Checks the version before anything else so that a future
 * format is reported as "update the app", not as a validation error.
 */
export function parseDeliveryBundle(json: unknown): BundleParseResult {
  const version = (json as { version?: unknown } | null)?.version;
  if (version !== BUNDLE_VERSION) return { ok: false, reason: 'unsupported_version', version };
  const parsed = deliveryBundleSchema.safeParse(json);
  return parsed.success ? { ok: true, bundle: parsed.data } : { ok: false, reason: 'invalid', issues: parsed.error.issues };
}
