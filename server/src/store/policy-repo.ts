import type { Kysely } from 'kysely';
import { policySettingsSchema } from '../../../shared/schemas/policy.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Policy, PolicyRepo } from '../domain/policy/types.ts';
import { pageOf, toUser } from './directory-repo.ts';
import { isUniqueViolation } from './sql-errors.ts';
import type { Database } from './schema.ts';

export function createPolicyRepo(db: Kysely<Database>): PolicyRepo {
  async function hydrate(row: { id: string; name: string; settings: string; created_at: number; updated_at: number }): Promise<Policy> {
    const assignments = await db
      .selectFrom('policy_assignments as a')
      .innerJoin('groups as g', 'g.id', 'a.group_id')
      .where('a.policy_id', '=', row.id)
      .select(['a.group_id', 'g.name', 'a.mode'])
      .orderBy('g.name')
      .execute();
    return {
      id: row.id,
      name: row.name,
      // Parsing on read fills defaults added by later versions of the settings schema.
      settings: policySettingsSchema.parse(JSON.parse(row.settings)),
      assignments: assignments.map((a) => ({ groupId: a.group_id, groupName: a.name, mode: a.mode })),
      createdAt: new Date(Number(row.created_at)),
      updatedAt: new Date(Number(row.updated_at)),
    };
  }

  const targets = (policyId: string) => policyTargets(db, policyId);

  return {
    async createPolicy(name, settings, now) {
      const row = { id: newId(now.getTime()), name, settings: JSON.stringify(settings), created_at: now.getTime(), updated_at: now.getTime() };
      try {
        await db.insertInto('policies').values(row).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('conflict', `policy "${name}" already exists`, { cause: error });
        throw error;
      }
      return { id: row.id, name, settings, assignments: [], createdAt: now, updatedAt: now };
    },

    async updateSettings(id, settings, now) {
      await db.updateTable('policies').set({ settings: JSON.stringify(settings), updated_at: now.getTime() }).where('id', '=', id).execute();
      const row = await db.selectFrom('policies').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new AppError('not_found', `policy ${id} does not exist`);
      return hydrate(row);
    },

    async getPolicy(id) {
      const row = await db.selectFrom('policies').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? hydrate(row) : null;
    },

    async findPolicyByName(name) {
      const row = await db.selectFrom('policies').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? hydrate(row) : null;
    },

    async listPolicies() {
      const rows = await db.selectFrom('policies').selectAll().orderBy('name').execute();
      return Promise.all(rows.map(hydrate));
    },

    async setAssignments(policyId, assignments) {
      await db.deleteFrom('policy_assignments').where('policy_id', '=', policyId).execute();
      if (assignments.length > 0) {
        await db
          .insertInto('policy_assignments')
          .values(assignments.map((a) => ({ policy_id: policyId, group_id: a.groupId, mode: a.mode })))
          .execute();
      }
    },

    async listTargets(policyId, { after, limit }) {
      let q = targets(policyId).selectAll('u').orderBy('u.id').limit(limit + 1);
      if (after) q = q.where('u.id', '>', after);
      return pageOf((await q.execute()).map(toUser), limit);
    },

    async countTargets(policyId) {
      const r = await targets(policyId).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async policiesForUser(userId) {
      // Policies number in the dozens: one targeted existence check each is cheap and keeps the
      // include/exclude rule in one place (targets()).
      const out: Policy[] = [];
      for (const row of await db.selectFrom('policies').selectAll().orderBy('name').execute()) {
        const hit = await targets(row.id).where('u.id', '=', userId).select('u.id').executeTakeFirst();
        if (!hit) continue;
        const policy = await hydrate(row);
        if (policy.settings.enabled) out.push(policy);
      }
      return out;
    },
  };
}

/**
 * Users in an include group of the policy and in none of its exclude groups (exclude wins), as a
 * query over `users as u` that callers extend (campaigns insert from it in SQL).
 */
export function policyTargets(db: Kysely<Database>, policyId: string) {
  return db
    .selectFrom('users as u')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('group_members as m')
          .innerJoin('policy_assignments as a', 'a.group_id', 'm.group_id')
          .whereRef('m.user_id', '=', 'u.id')
          .where('a.policy_id', '=', policyId)
          .where('a.mode', '=', 'include')
          .select('m.user_id'),
      ),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('group_members as m')
            .innerJoin('policy_assignments as a', 'a.group_id', 'm.group_id')
            .whereRef('m.user_id', '=', 'u.id')
            .where('a.policy_id', '=', policyId)
            .where('a.mode', '=', 'exclude')
            .select('m.user_id'),
        ),
      ),
    );
}
