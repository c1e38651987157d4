import type { Kysely } from 'kysely';
import type { AuditEntry, AuditRepo } from '../domain/audit/types.ts';
import { newId } from '../ids.ts';
import type { Database } from './schema.ts';

export function createAuditRepo(db: Kysely<Database>): AuditRepo {
  return {
    async append(entry) {
      const row = {
        id: newId(entry.at.getTime()),
        at: entry.at.getTime(),
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        details: entry.details ? JSON.stringify(entry.details) : null,
      };
      await db.insertInto('audit_log').values(row).execute();
      return { ...entry, id: row.id };
    },

    async list({ action, actor, target, before, limit }) {
      let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
      if (action) q = q.where('action', '=', action);
      if (actor) q = q.where('actor', '=', actor);
      if (target) q = q.where('target', '=', target);
      if (before) q = q.where('id', '<', before);
      const rows = await q.execute();
      return rows.map(
        (r): AuditEntry => ({
          id: r.id,
          at: new Date(Number(r.at)),
          actor: r.actor,
          action: r.action,
          target: r.target,
          details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
        }),
      );
    },
  };
}
