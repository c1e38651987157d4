import { type Kysely, type Selectable, sql } from 'kysely';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Locale } from '../ports.ts';
import type { DirectoryRepo, Group, Page, User, UserUpsert } from '../domain/directory/types.ts';
import { isUniqueViolation } from './sql-errors.ts';
import type { Database, UsersTable } from './schema.ts';

/** Maps a users row to the domain's User. */
export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    locale: (row.locale as Locale | null) ?? null,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

/** Builds a page from `limit + 1` rows fetched in id order. */
export function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

/** Escapes LIKE wildcards so a search for `50%` means the characters, not a pattern. */
function likePattern(query: string): string {
  return `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function createDirectoryRepo(db: Kysely<Database>): DirectoryRepo {
  const selectGroups = () =>
    db
      .selectFrom('groups as g')
      .select((eb) => [
        'g.id',
        'g.name',
        'g.created_at',
        eb.selectFrom('group_members as m').whereRef('m.group_id', '=', 'g.id').select(eb.fn.countAll<number>().as('n')).as('member_count'),
      ]);
  const toGroup = (r: { id: string; name: string; created_at: number; member_count: number | string | null }): Group => ({
    id: r.id,
    name: r.name,
    createdAt: new Date(Number(r.created_at)),
    memberCount: Number(r.member_count ?? 0),
  });

  return {
    async upsertUser(input: UserUpsert, now: Date) {
      const existing = await db.selectFrom('users').selectAll().where('email', '=', input.email).executeTakeFirst();
      if (!existing) {
        const row = {
          id: newId(now.getTime()),
          email: input.email,
          display_name: input.displayName ?? null,
          locale: input.locale ?? null,
          created_at: now.getTime(),
          updated_at: now.getTime(),
        };
        try {
          await db.insertInto('users').values(row).execute();
        } catch (error) {
          if (isUniqueViolation(error)) throw new AppError('conflict', `a user with email ${input.email} was just created by another request`, { cause: error, retryable: true });
          throw error;
        }
        return { user: toUser(row), created: true, changed: true };
      }
      const displayName = input.displayName === undefined ? existing.display_name : input.displayName;
      const locale = input.locale === undefined ? existing.locale : input.locale;
      if (displayName === existing.display_name && locale === existing.locale) {
        return { user: toUser(existing), created: false, changed: false };
      }
      const updated = { ...existing, display_name: displayName, locale, updated_at: now.getTime() };
      await db.updateTable('users').set({ display_name: displayName, locale, updated_at: updated.updated_at }).where('id', '=', existing.id).execute();
      return { user: toUser(updated), created: false, changed: true };
    },

    async getUser(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toUser(row) : null;
    },

    async findUserByEmail(email) {
      const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
      return row ? toUser(row) : null;
    },

    async listUsers({ query, after, limit }) {
      let q = db.selectFrom('users').selectAll().orderBy('id').limit(limit + 1);
      if (after) q = q.where('id', '>', after);
      if (query) {
        const p = likePattern(query);
        q = q.where((eb) =>
          eb.or([
            eb('email', 'like', sql<string>`${p} escape '\\'`),
            eb(eb.fn('lower', ['display_name']), 'like', sql<string>`${p} escape '\\'`),
          ]),
        );
      }
      return pageOf((await q.execute()).map(toUser), limit);
    },

    async countUsers() {
      const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async createGroup(name, now) {
      const row = { id: newId(now.getTime()), name, created_at: now.getTime() };
      try {
        await db.insertInto('groups').values(row).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('conflict', `group "${name}" already exists`, { cause: error });
        throw error;
      }
      return { id: row.id, name, createdAt: now, memberCount: 0 };
    },

    async findGroupByName(name) {
      const row = await selectGroups().where('g.name', '=', name).executeTakeFirst();
      return row ? toGroup(row) : null;
    },

    async listGroups() {
      return (await selectGroups().orderBy('g.name').execute()).map(toGroup);
    },

    async addMember(groupId, userId) {
      const r = await db
        .insertInto('group_members')
        .values({ group_id: groupId, user_id: userId })
        .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async removeMember(groupId, userId) {
      const r = await db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async listMembers(groupId, { after, limit }) {
      let q = db
        .selectFrom('users as u')
        .innerJoin('group_members as m', 'm.user_id', 'u.id')
        .where('m.group_id', '=', groupId)
        .selectAll('u')
        .orderBy('u.id')
        .limit(limit + 1);
      if (after) q = q.where('u.id', '>', after);
      return pageOf((await q.execute()).map(toUser), limit);
    },

    async groupsOf(userId) {
      const rows = await selectGroups()
        .where('g.id', 'in', db.selectFrom('group_members').select('group_id').where('user_id', '=', userId))
        .orderBy('g.name')
        .execute();
      return rows.map(toGroup);
    },
  };
}
