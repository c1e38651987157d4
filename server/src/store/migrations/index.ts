import type { Migration } from 'kysely';
import * as m001 from './001-foundation.ts';

/**
 * Every migration, in order. Static imports (not a folder scan) so the set is the same under
 * tsx, vitest and any bundler. Later areas append theirs here.
 */
export const migrations: Record<string, Migration> = {
  '001-foundation': m001,
};
