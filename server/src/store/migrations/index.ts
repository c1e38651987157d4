import type { Migration } from 'kysely';
import * as m001 from './001-foundation.ts';
import * as m003Credentials from './003-credentials.ts';
import * as m004 from './004-campaigns.ts';
import * as m002DeviceSessions from './002-device-sessions.ts';
import * as m005AdminSessions from './005-admin-sessions.ts';
import * as m006AttemptWindows from './006-attempt-windows.ts';

/**
 * Every migration, in order. Static imports (not a folder scan) so the set is the same under
 * tsx, vitest and any bundler. Later areas append theirs here.
 */
export const migrations: Record<string, Migration> = {
  '001-foundation': m001,
  '004-campaigns': m004,
  '003-credentials': m003Credentials,
  '002-device-sessions': m002DeviceSessions,
  '005-admin-sessions': m005AdminSessions,
  '006-attempt-windows': m006AttemptWindows,
};
