import type { Kysely } from 'kysely';
import type { InboxRepo } from '../domain/notifications/types.ts';
import type { Database } from './schema.ts';

export function createInboxRepo(db: Kysely<Database>): InboxRepo {
  return {
    async pendingDelivery(userId) {
      const row = await db
        .selectFrom('deliveries')
        .select(['id', 'sent_at', 'created_at'])
        .where('user_id', '=', userId)
        .where('state', 'in', ['sent', 'opened'])
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? { id: row.id, sentAt: new Date(Number(row.sent_at ?? row.created_at)) } : null;
    },
  };
}
