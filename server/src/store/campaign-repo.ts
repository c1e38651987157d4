import { type Kysely, sql } from 'kysely';
import type { Campaign, CampaignProgress, CampaignRepo, DeliveryState } from '../domain/campaigns/types.ts';
import { DELIVERY_STATES } from '../domain/campaigns/types.ts';
import { newId } from '../ids.ts';
import { createDeliveryQueue } from './delivery-queue.ts';
import { policyTargets } from './policy-repo.ts';
import type { CampaignsTable, Database } from './schema.ts';

/** A random 128-bit recipient id made by the database, so targets never pass through Node. */
export function recipientIdSql(kind: 'sqlite' | 'postgres') {
  return kind === 'postgres' ? sql<string>`replace(gen_random_uuid()::text, '-', '')` : sql<string>`lower(hex(randomblob(16)))`;
}

function toCampaign(r: CampaignsTable): Campaign {
  return {
    id: r.id,
    policyId: r.policy_id,
    kind: r.kind,
    channel: r.channel,
    status: r.status,
    total: Number(r.total),
    createdBy: r.created_by,
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
    finishedAt: r.finished_at === null ? null : new Date(Number(r.finished_at)),
  };
}

/** Campaigns plus the delivery queue (see delivery-queue.ts) on SQLite and PostgreSQL. */
export function createCampaignRepo(db: Kysely<Database>, kind: 'sqlite' | 'postgres'): CampaignRepo {
  /** Targets of the policy not already recipients of a live campaign for the same policy. */
  function queueable(policyId: string) {
    return policyTargets(db, policyId).where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('deliveries as d')
            .innerJoin('campaigns as c', 'c.id', 'd.campaign_id')
            .whereRef('d.user_id', '=', 'u.id')
            .where('c.policy_id', '=', policyId)
            .where('c.status', 'in', ['running', 'paused'])
            .select('d.id'),
        ),
      ),
    );
  }

  return {
    ...createDeliveryQueue(db, kind),

    async createCampaign(c, now) {
      const row: CampaignsTable = {
        id: newId(now.getTime()),
        policy_id: c.policyId,
        kind: c.kind,
        channel: c.channel,
        status: 'running',
        total: 0,
        created_by: c.createdBy,
        created_at: now.getTime(),
        updated_at: now.getTime(),
        finished_at: null,
      };
      await db.insertInto('campaigns').values(row).execute();
      return toCampaign(row);
    },

    async queueTargets(campaign, { after, limit }, now) {
      if (!campaign.policyId) return { inserted: 0, last: null };
      const first = campaign.channel === 'email' ? 'email' : 'push';
      let source = queueable(campaign.policyId)
        .select([
          recipientIdSql(kind).as('id'),
          sql<string>`${campaign.id}`.as('campaign_id'),
          'u.id as user_id',
          sql<string>`${first}`.as('channel'),
          sql<string>`${campaign.kind}`.as('kind'),
          sql<string>`'pending'`.as('state'),
          sql.lit(0).as('attempts'),
          sql.lit(now.getTime()).as('next_attempt_at'),
          sql.lit(now.getTime()).as('created_at'),
          sql.lit(0).as('reminders_sent'),
        ])
        .orderBy('u.id')
        .limit(limit);
      if (after) source = source.where('u.id', '>', after);
      const rows = await db
        .insertInto('deliveries')
        .columns(['id', 'campaign_id', 'user_id', 'channel', 'kind', 'state', 'attempts', 'next_attempt_at', 'created_at', 'reminders_sent'])
        .expression(source)
        .returning('user_id')
        .execute();
      let last: string | null = null;
      for (const r of rows) if (last === null || r.user_id > last) last = r.user_id;
      return { inserted: rows.length, last };
    },

    async countQueueable(policyId) {
      const r = await queueable(policyId).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async setTotal(campaignId, total) {
      await db.updateTable('campaigns').set({ total }).where('id', '=', campaignId).execute();
    },

    async getCampaign(id) {
      const row = await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toCampaign(row) : null;
    },

    async listCampaigns(limit) {
      return (await db.selectFrom('campaigns').selectAll().orderBy('id', 'desc').limit(limit).execute()).map(toCampaign);
    },

    async transition(id, from, to, now) {
      const r = await db
        .updateTable('campaigns')
        .set({ status: to, updated_at: now.getTime(), ...(to === 'cancelled' || to === 'done' ? { finished_at: now.getTime() } : {}) })
        .where('id', '=', id)
        .where('status', 'in', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async skipUnsent(campaignId, now) {
      // Rows being sent right now keep their lease: their outcome is recorded when it comes.
      const r = await db
        .updateTable('deliveries')
        .set({ state: 'skipped', reason: 'cancelled', last_error: null, lease_until: null, leased_by: null, next_attempt_at: now.getTime() })
        .where('campaign_id', '=', campaignId)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async progress(campaignId): Promise<CampaignProgress> {
      const rows = await db
        .selectFrom('deliveries')
        .where('campaign_id', '=', campaignId)
        .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('state')
        .execute();
      const states = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;
      let total = 0;
      for (const r of rows) {
        states[r.state] = Number(r.n);
        total += Number(r.n);
      }
      const f = await db
        .selectFrom('deliveries')
        .where('campaign_id', '=', campaignId)
        .select((eb) => [
          eb.fn.count<number>('sent_at').as('sent'),
          eb.fn.count<number>('opened_at').as('opened'),
          eb.fn.count<number>('retrieved_at').as('retrieved'),
        ])
        .executeTakeFirstOrThrow();
      return { total, states, funnel: { sent: Number(f.sent), opened: Number(f.opened), retrieved: Number(f.retrieved) } };
    },

    async autoCampaign(channel, now) {
      const found = await db
        .selectFrom('campaigns')
        .selectAll()
        .where('kind', '=', 'newCertificates')
        .where('channel', '=', channel)
        .where('status', 'in', ['running', 'done'])
        .orderBy('id', 'desc')
        .executeTakeFirst();
      if (found) {
        if (found.status === 'done') {
          await db.updateTable('campaigns').set({ status: 'running', finished_at: null, updated_at: now.getTime() }).where('id', '=', found.id).execute();
        }
        return { ...toCampaign(found), status: 'running' };
      }
      const row: CampaignsTable = {
        id: newId(now.getTime()),
        policy_id: null,
        kind: 'newCertificates',
        channel,
        status: 'running',
        total: 0,
        created_by: 'system',
        created_at: now.getTime(),
        updated_at: now.getTime(),
        finished_at: null,
      };
      await db.insertInto('campaigns').values(row).execute();
      return toCampaign(row);
    },

    async queueUserNotice(campaign, userId, dueAt, now) {
      const pushedBack = await db
        .updateTable('deliveries')
        .set({ next_attempt_at: dueAt })
        .where('campaign_id', '=', campaign.id)
        .where('user_id', '=', userId)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      if (Number(pushedBack.numUpdatedRows) > 0) return 'debounced';
      const id = (await sql<{ id: string }>`select ${recipientIdSql(kind)} as id`.execute(db)).rows[0]!.id;
      await db
        .insertInto('deliveries')
        .values({
          id,
          campaign_id: campaign.id,
          user_id: userId,
          channel: campaign.channel === 'email' ? 'email' : 'push',
          kind: 'newCertificates',
          state: 'pending',
          reason: null,
          attempts: 0,
          next_attempt_at: dueAt,
          lease_until: null,
          leased_by: null,
          last_error: null,
          created_at: now,
          sent_at: null,
          opened_at: null,
          retrieved_at: null,
          reminders_sent: 0,
        })
        .execute();
      await db.updateTable('campaigns').set({ total: sql`total + 1`, updated_at: now }).where('id', '=', campaign.id).execute();
      return 'queued';
    },
  };
}
