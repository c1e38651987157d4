import type { Kysely } from 'kysely';
import type { AdminConsoleRepo } from '../http/admin/console-types.ts';
import type { Database } from './schema.ts';

const date = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));
const count = (r: { n: number | string | bigint } | undefined) => Number(r?.n ?? 0);

/** The admin console's read models: one SQL query each, portable on SQLite and PostgreSQL. */
export function createAdminConsoleRepo(db: Kysely<Database>): AdminConsoleRepo {
  return {
    async overview(now, withinMs) {
      const [users, devices, expiring, running] = await Promise.all([
        db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
        db.selectFrom('devices').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'enrolled').executeTakeFirst(),
        db
          .selectFrom('credentials')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'active')
          .where('not_after', '>', now.getTime())
          .where('not_after', '<=', now.getTime() + withinMs)
          .executeTakeFirst(),
        db.selectFrom('campaigns').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['running', 'paused']).executeTakeFirst(),
      ]);
      return { users: count(users), enrolledDevices: count(devices), expiringSoon: count(expiring), campaignsRunning: count(running) };
    },
    async failureReasons(campaignId) {
      const rows = await db
        .selectFrom('deliveries')
        .select(['state', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
        .where('campaign_id', '=', campaignId)
        .where('state', 'in', ['failed', 'skipped'])
        .groupBy(['state', 'reason'])
        .execute();
      return rows.map((r) => ({ state: r.state, reason: r.reason ?? 'unknown', n: Number(r.n) }));
    },
    async recipients(campaignId, { state, after, limit }) {
      let q = db
        .selectFrom('deliveries as d')
        .innerJoin('users as u', 'u.id', 'd.user_id')
        .select(['d.id', 'u.email', 'u.display_name', 'd.channel', 'd.state', 'd.reason', 'd.attempts', 'd.last_error', 'd.sent_at', 'd.opened_at', 'd.retrieved_at'])
        .where('d.campaign_id', '=', campaignId)
        .orderBy('d.id')
        .limit(limit + 1);
      if (state) q = q.where('d.state', '=', state as never);
      if (after) q = q.where('d.id', '>', after);
      const rows = await q.execute();
      const page = rows.slice(0, limit);
      return {
        items: page.map((r) => ({
          id: r.id,
          email: r.email,
          displayName: r.display_name,
          channel: r.channel,
          state: r.state,
          reason: r.reason,
          attempts: r.attempts,
          lastError: r.last_error,
          sentAt: date(r.sent_at),
          openedAt: date(r.opened_at),
          retrievedAt: date(r.retrieved_at),
        })),
        next: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
    async requeueFailed(campaignId, now) {
      const r = await db
        .updateTable('deliveries')
        .set({ state: 'pending', reason: null, attempts: 0, next_attempt_at: now.getTime(), last_error: null, lease_until: null, leased_by: null })
        .where('campaign_id', '=', campaignId)
        .where('state', '=', 'failed')
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async countAudience(include, exclude) {
      if (include.length === 0) return 0;
      let q = db
        .selectFrom('group_members as m')
        .select((eb) => eb.fn.count<number>('m.user_id').distinct().as('n'))
        .where('m.group_id', 'in', include);
      if (exclude.length > 0) {
        q = q.where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('group_members as x').select('x.user_id').whereRef('x.user_id', '=', 'm.user_id').where('x.group_id', 'in', exclude))),
        );
      }
      return count(await q.executeTakeFirst());
    },
    async issuedBy(caId, limit) {
      const rows = await db
        .selectFrom('credentials as c')
        .innerJoin('users as u', 'u.id', 'c.user_id')
        .select(['c.id', 'u.email', 'c.serial_hex', 'c.subject', 'c.purpose', 'c.status', 'c.not_before', 'c.not_after', 'c.revoked_at'])
        .where('c.ca_id', '=', caId)
        .orderBy('c.created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        userEmail: r.email,
        serialHex: r.serial_hex,
        subject: r.subject,
        purpose: r.purpose,
        status: r.status,
        notBefore: new Date(Number(r.not_before)),
        notAfter: new Date(Number(r.not_after)),
        revokedAt: date(r.revoked_at),
      }));
    },
  };
}
