import { type Kysely, sql } from 'kysely';

/**
 * Campaigns and their deliveries. The deliveries table IS the delivery queue (transactional
 * outbox): each row carries its state, attempts, next_attempt_at and lease, so there is no second
 * source of truth to reconcile. `rate_limits` holds one time-slot counter per channel, shared by
 * every worker process.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('policy_id', 'text', (c) => c.references('policies.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('campaigns_policy_status').on('campaigns').columns(['policy_id', 'status']).execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('leased_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('opened_at', 'bigint')
    .addColumn('retrieved_at', 'bigint')
    .addColumn('reminders_sent', 'integer', (c) => c.notNull())
    .execute();
  // Partial indexes keep the hot queries (claim due rows, reclaim expired leases, find reminder
  // candidates) proportional to the rows in that state, not to the whole history.
  await db.schema.createIndex('deliveries_due').on('deliveries').columns(['channel', 'next_attempt_at']).where(sql<boolean>`state = 'pending'`).execute();
  await db.schema.createIndex('deliveries_leased').on('deliveries').column('lease_until').where(sql<boolean>`state = 'sending'`).execute();
  await db.schema.createIndex('deliveries_campaign_state').on('deliveries').columns(['campaign_id', 'state']).execute();
  await db.schema.createIndex('deliveries_user_state').on('deliveries').columns(['user_id', 'state']).execute();

  await db.schema
    .createTable('rate_limits')
    .addColumn('channel', 'text', (c) => c.primaryKey())
    .addColumn('slot', 'bigint', (c) => c.notNull())
    .addColumn('used', 'bigint', (c) => c.notNull())
    .addColumn('granted', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('rate_limits').values([
    { channel: 'push', slot: 0, used: 0, granted: 0 },
    { channel: 'email', slot: 0, used: 0, granted: 0 },
  ]).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['rate_limits', 'deliveries', 'campaigns']) await db.schema.dropTable(t).execute();
}
