import type { z } from 'zod';
import { AppError, type FieldIssue } from './errors.ts';

/** Zod issues as `{ path, message }`, the path dotted (`assignments.include.0`). */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

/**
 * Parses `value` with `schema` or throws AppError('validation_failed') naming every bad field,
 * e.g. `email: is not an email address`.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'input'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = fieldIssues(r.error);
  throw new AppError('validation_failed', `invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
}
