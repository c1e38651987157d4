import { z } from 'zod';

/**
 * The S/MIME policy: a mirror of the Outlook app-configuration settings (DESIGN.md table).
 * Shared by the server (validation, OpenAPI) and the PWA (what the device is told to do).
 */
export const SIGNING_PROFILE_TYPES = ['scep', 'importedPkcs', 'derivedCredential'] as const;
export const ENCRYPTION_PROFILE_TYPES = ['importedPkcs', 'derivedCredential'] as const;
export const NOTIFICATION_KINDS = ['push', 'email', 'pushThenEmail'] as const;

export const signingSettingsSchema = z.strictObject({
  profileType: z.enum(SIGNING_PROFILE_TYPES).default('scep'),
  /** Key the device makes for a SCEP-type signing certificate. */
  keyAlgorithm: z.enum(['RSA-2048', 'EC-P256']).default('RSA-2048'),
  /** Renew the signing certificate once this share of its lifetime has passed. */
  renewalThreshold: z.number().gt(0).lt(1).default(0.8),
});

export const encryptionSettingsSchema = z.strictObject({
  profileType: z.enum(ENCRYPTION_PROFILE_TYPES).default('importedPkcs'),
  /** Whether the device may export the history as a PKCS#12 for a native mail client. */
  allowExport: z.boolean().default(false),
});

export const policySettingsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  deployCertificates: z.boolean().default(true),
  signing: signingSettingsSchema.default(() => signingSettingsSchema.parse({})),
  encryption: encryptionSettingsSchema.default(() => encryptionSettingsSchema.parse({})),
  notification: z.enum(NOTIFICATION_KINDS).default('pushThenEmail'),
  signAll: z.boolean().default(false),
  signAllUserChangeAllowed: z.boolean().default(true),
  encryptAll: z.boolean().default(false),
  encryptAllUserChangeAllowed: z.boolean().default(true),
});

export type PolicySettings = z.infer<typeof policySettingsSchema>;
export type PolicySettingsInput = z.input<typeof policySettingsSchema>;

export const policyNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u, 'may hold letters, digits, space, dot, dash and underscore');

export const assignmentSchema = z.strictObject({
  include: z.array(z.string().min(1).max(100)).max(1000).default([]),
  exclude: z.array(z.string().min(1).max(100)).max(1000).default([]),
});
export type AssignmentInput = z.input<typeof assignmentSchema>;
