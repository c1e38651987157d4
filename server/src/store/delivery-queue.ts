import { type Kysely, sql } from 'kysely';
import type { CampaignChannel, CampaignRepo, ClaimedDelivery, RecipientInfo } from '../domain/campaigns/types.ts';
import { LOCALES, type Locale } from '../ports.ts';
import type { Database } from './schema.ts';

type QueueOps = Pick<
  CampaignRepo,
  | 'claim'
  | 'reclaimExpired'
  | 'renewLeases'
  | 'recipients'
  | 'campaignChannels'
  | 'record'
  | 'clearPushSubscriptions'
  | 'finishIdle'
  | 'acquireRate'
  | 'refundRate'
  | 'markOpened'
  | 'markRetrieved'
  | 'queueReminders'
  | 'metrics'
>;

const CHUNK = 500;
function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * The delivery queue's SQL: the deliveries table is the queue. Claims lease due rows in one
 * statement — on PostgreSQL the due rows are picked `FOR UPDATE SKIP LOCKED`, so concurrent
 * workers on many machines skip each other's rows instead of waiting or colliding; on SQLite the
 * single UPDATE … RETURNING is atomic because SQLite has one writer.
 */
export function createDeliveryQueue(db: Kysely<Database>, kind: 'sqlite' | 'postgres'): QueueOps {
  const inTx = <T>(fn: (t: Kysely<Database>) => Promise<T>) => (db.isTransaction ? fn(db) : db.transaction().execute(fn));

  return {
    async claim(channel, workerId, limit, now, leaseMs) {
      if (limit <= 0) return [];
      let due = db
        .selectFrom('deliveries')
        .select('id')
        .where('state', '=', 'pending')
        .where('channel', '=', channel)
        .where('next_attempt_at', '<=', now)
        .where('campaign_id', 'in', db.selectFrom('campaigns').select('id').where('status', '=', 'running'))
        .orderBy('next_attempt_at')
        .limit(limit);
      if (kind === 'postgres') due = due.forUpdate().skipLocked();
      const rows = await db
        .updateTable('deliveries')
        .set({ state: 'sending', lease_until: now + leaseMs, leased_by: workerId, attempts: sql`attempts + 1` })
        .where('id', 'in', due)
        .where('state', '=', 'pending')
        .returning(['id', 'campaign_id', 'user_id', 'channel', 'kind', 'attempts'])
        .execute();
      return rows.map(
        (r): ClaimedDelivery => ({ id: r.id, campaignId: r.campaign_id, userId: r.user_id, channel: r.channel, kind: r.kind, attempts: Number(r.attempts) }),
      );
    },

    async reclaimExpired(now) {
      const r = await db
        .updateTable('deliveries')
        .set({ state: 'pending', lease_until: null, leased_by: null, next_attempt_at: now, last_error: 'lease expired (worker stopped mid-send)' })
        .where('state', '=', 'sending')
        .where('lease_until', '<', now)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async renewLeases(workerId, now, leaseMs) {
      const r = await db
        .updateTable('deliveries')
        .set({ lease_until: now + leaseMs })
        .where('state', '=', 'sending')
        .where('leased_by', '=', workerId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async recipients(userIds) {
      const out = new Map<string, RecipientInfo>();
      for (const ids of chunks([...new Set(userIds)])) {
        const users = await db.selectFrom('users').select(['id', 'email', 'display_name', 'locale']).where('id', 'in', ids).execute();
        for (const u of users) {
          const locale: Locale = LOCALES.includes(u.locale as Locale) ? (u.locale as Locale) : 'en';
          out.set(u.id, { email: u.email || null, displayName: u.display_name, locale, subscriptions: [] });
        }
        const devices = await db
          .selectFrom('devices')
          .select(['id', 'user_id', 'push_endpoint', 'push_p256dh', 'push_auth'])
          .where('user_id', 'in', ids)
          .where('status', '=', 'enrolled')
          .where('push_endpoint', 'is not', null)
          .orderBy('id')
          .execute();
        for (const d of devices) {
          if (!d.push_endpoint || !d.push_p256dh || !d.push_auth) continue;
          out.get(d.user_id)?.subscriptions.push({ deviceId: d.id, endpoint: d.push_endpoint, p256dh: d.push_p256dh, auth: d.push_auth });
        }
      }
      return out;
    },

    async campaignChannels(ids) {
      const rows = ids.length ? await db.selectFrom('campaigns').select(['id', 'channel']).where('id', 'in', ids).execute() : [];
      return new Map<string, CampaignChannel>(rows.map((r) => [r.id, r.channel]));
    },

    async record(workerId, updates, now) {
      if (updates.length === 0) return;
      await inTx(async (t) => {
        // The common outcome ("sent") is one statement per chunk; the rest go row by row.
        const sent = updates.filter((u) => u.state === 'sent').map((u) => u.id);
        for (const ids of chunks(sent)) {
          await t
            .updateTable('deliveries')
            .set({
              state: 'sent',
              sent_at: now,
              lease_until: null,
              leased_by: null,
              last_error: null,
              reason: null,
              reminders_sent: sql`case when kind = 'reminder' then reminders_sent + 1 else reminders_sent end`,
            })
            .where('id', 'in', ids)
            .where('state', '=', 'sending')
            .where('leased_by', '=', workerId)
            .execute();
        }
        for (const u of updates) {
          if (u.state === 'sent') continue;
          const q = t.updateTable('deliveries').where('id', '=', u.id).where('state', '=', 'sending').where('leased_by', '=', workerId);
          if (u.state === 'pending') {
            await q
              .set({
                state: 'pending',
                next_attempt_at: u.nextAttemptAt,
                last_error: u.lastError,
                lease_until: null,
                leased_by: null,
                ...(u.switchTo ? { channel: u.switchTo, attempts: 0 } : {}),
              })
              .execute();
          } else {
            await q.set({ state: u.state, reason: u.reason, last_error: u.lastError, lease_until: null, leased_by: null }).execute();
          }
        }
      });
    },

    async clearPushSubscriptions(deviceIds) {
      for (const ids of chunks(deviceIds)) {
        await db.updateTable('devices').set({ push_endpoint: null, push_p256dh: null, push_auth: null }).where('id', 'in', ids).execute();
      }
    },

    async finishIdle(campaignIds, now) {
      for (const ids of chunks(campaignIds)) {
        await db
          .updateTable('campaigns')
          .set({ status: 'done', finished_at: now, updated_at: now })
          .where('id', 'in', ids)
          .where('status', '=', 'running')
          .where('kind', '=', 'retrieve')
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('deliveries as d').select('d.id').whereRef('d.campaign_id', '=', 'campaigns.id').where('d.state', 'in', ['pending', 'sending']),
              ),
            ),
          )
          .execute();
      }
    },

    async acquireRate(channel, want, perSecond, now) {
      if (perSecond <= 0) return want;
      const slot = Math.floor(now / 1000);
      const fresh = Math.min(want, perSecond);
      // One atomic statement: right-hand sides see the old row, so `used` and `granted` agree.
      const left = sql`(${sql.lit(perSecond)} - used)`;
      const take = sql`case when ${left} <= 0 then 0 when ${left} < ${sql.lit(want)} then ${left} else ${sql.lit(want)} end`;
      const row = await db
        .updateTable('rate_limits')
        .set({
          granted: sql`case when slot = ${sql.lit(slot)} then ${take} else ${sql.lit(fresh)} end`,
          used: sql`case when slot = ${sql.lit(slot)} then used + ${take} else ${sql.lit(fresh)} end`,
          slot: sql.lit(slot),
        })
        .where('channel', '=', channel)
        .returning('granted')
        .executeTakeFirst();
      return row ? Number(row.granted) : want;
    },

    async refundRate(channel, n, now) {
      if (n <= 0) return;
      await db
        .updateTable('rate_limits')
        .set({ used: sql`used - ${sql.lit(n)}` })
        .where('channel', '=', channel)
        .where('slot', '=', Math.floor(now / 1000))
        .where('used', '>=', n)
        .execute();
    },

    async markOpened(recipientId, now) {
      const r = await db
        .updateTable('deliveries')
        .set({ opened_at: sql`coalesce(opened_at, ${sql.lit(now)})`, state: sql`case when state = 'sent' then 'opened' else state end` })
        .where('id', '=', recipientId)
        .where('state', 'in', ['sending', 'sent', 'opened', 'pending'])
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async markRetrieved(userId, now) {
      // A queued reminder (pending, already sent once) is moot once the user has retrieved.
      const r = await db
        .updateTable('deliveries')
        .set({ state: 'retrieved', retrieved_at: now, lease_until: null, leased_by: null })
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('state', 'in', ['sent', 'opened']), eb.and([eb('state', '=', 'pending'), eb('sent_at', 'is not', null)])]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async queueReminders(now, delayMs, max, limit) {
      if (max <= 0) return 0;
      const due = db
        .selectFrom('deliveries')
        .select('id')
        .where('state', 'in', ['sent', 'opened'])
        .where('reminders_sent', '<', max)
        .where('sent_at', '<=', now - delayMs)
        .where('campaign_id', 'in', db.selectFrom('campaigns').select('id').where('status', 'in', ['running', 'done']))
        .limit(limit);
      const rows = await db
        .updateTable('deliveries')
        .set({ state: 'pending', kind: 'reminder', attempts: 0, next_attempt_at: now, last_error: null })
        .where('id', 'in', kind === 'postgres' ? due.forUpdate().skipLocked() : due)
        .where('state', 'in', ['sent', 'opened'])
        .returning('campaign_id')
        .execute();
      const campaigns = [...new Set(rows.map((r) => r.campaign_id))];
      for (const ids of chunks(campaigns)) {
        await db.updateTable('campaigns').set({ status: 'running', finished_at: null, updated_at: now }).where('id', 'in', ids).where('status', '=', 'done').execute();
      }
      return rows.length;
    },

    async metrics(now) {
      const byChannelState = await db
        .selectFrom('deliveries')
        .select(['channel', 'state', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy(['channel', 'state'])
        .execute();
      const byReason = await db
        .selectFrom('deliveries')
        .select(['channel', 'state', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
        .where('state', 'in', ['failed', 'skipped'])
        .groupBy(['channel', 'state', 'reason'])
        .execute();
      const q = await db
        .selectFrom('deliveries')
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min<number>('next_attempt_at').as('oldest')])
        .executeTakeFirstOrThrow();
      const f = await db
        .selectFrom('deliveries')
        .select((eb) => [eb.fn.count<number>('sent_at').as('sent'), eb.fn.count<number>('opened_at').as('opened'), eb.fn.count<number>('retrieved_at').as('retrieved')])
        .executeTakeFirstOrThrow();
      return {
        byChannelState: byChannelState.map((r) => ({ channel: r.channel, state: r.state, n: Number(r.n) })),
        byReason: byReason.map((r) => ({ channel: r.channel, state: r.state, reason: r.reason ?? 'unknown', n: Number(r.n) })),
        queueDepth: Number(q.n),
        oldestDueAt: q.oldest === null || q.oldest === undefined ? null : Number(q.oldest),
        funnel: { sent: Number(f.sent), opened: Number(f.opened), retrieved: Number(f.retrieved) },
      };
    },
  };
}
