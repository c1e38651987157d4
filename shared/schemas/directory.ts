import { z } from 'zod';

export const LOCALE_VALUES = ['en', 'zh-TW'] as const;

/**
 * An email address as the directory stores it: trimmed, lowercased, ASCII local part or UTF-8
 * (RFC 6531) allowed, no control characters, at most 254 characters.
 */
export const emailSchema = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .transform((s) => s.normalize('NFC').toLowerCase())
  .pipe(
    z
      .string()
      // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
      .regex(/^[^\s@<>()[\],;:"\\\u0000-\u001f\u007f]+@[^\s@<>()[\],;:"\\\u0000-\u001f\u007f]+\.[^\s@<>()[\],;:"\\\u0000-\u001f\u007f.]{2,}$/u, 'is not an email address'),
  );

export const displayNameSchema = z
  .string()
  .trim()
  .max(200, 'must be at most 200 characters')
  .transform((s) => s.normalize('NFC'))
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/u.test(s), 'must not contain control or bidi-override characters');

export const groupNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .transform((s) => s.normalize('NFC'))
  .refine((s) => /^[\p{L}\p{N}][\p{L}\p{N} ._@-]*$/u.test(s), 'may hold letters, digits, space, dot, dash, @ and underscore');

export const userInputSchema = z.strictObject({
  email: emailSchema,
  displayName: displayNameSchema.nullish(),
  locale: z.enum(LOCALE_VALUES).optional(),
});
export type UserInput = z.input<typeof userInputSchema>;
