/** Bulk test data for campaign suites: users in a group, a policy on it, devices with push. */
import type { Kysely } from 'kysely';
import { createPolicy, assignPolicy } from '../../server/src/domain/policy/policy-service.ts';
import type { DomainContext } from '../../server/src/domain/context.ts';
import { newId } from '../../server/src/ids.ts';
import type { Database } from '../../server/src/store/schema.ts';

export interface SeedOptions {
  group: string;
  policy: string;
  users: number;
  /** Email of user i. */
  email?: (i: number) => string;
  locale?: (i: number) => 'en' | 'zh-TW';
  /** Push subscription of user i's device, or null for no device. */
  push?: (i: number, userId: string) => { endpoint: string; p256dh: string; auth: string } | null;
  notification?: 'push' | 'email' | 'pushThenEmail';
}

/** Inserts users (in chunks, ids in creation order), their group, devices, and an assigned policy. */
export async function seed(db: Kysely<Database>, ctx: DomainContext, o: SeedOptions): Promise<{ userIds: string[]; policyId: string }> {
  const now = Date.now();
  const groupId = newId(now);
  await db.insertInto('groups').values({ id: groupId, name: o.group, created_at: now }).execute();
  const userIds: string[] = [];
  for (let start = 0; start < o.users; start += 500) {
    const users = [];
    const members = [];
    const devices = [];
    for (let i = start; i < Math.min(o.users, start + 500); i += 1) {
      const id = newId(now + i);
      userIds.push(id);
      users.push({ id, email: o.email?.(i) ?? `user${i}@example.com`, display_name: `User ${i}`, locale: o.locale?.(i) ?? 'en', created_at: now, updated_at: now });
      members.push({ group_id: groupId, user_id: id });
      const sub = o.push?.(i, id);
      if (sub) {
        devices.push({
          id: newId(now + i),
          user_id: id,
          platform: 'test',
          name: `device ${i}`,
          status: 'enrolled' as const,
          identity_key: 'x',
          transport_key: 'x',
          push_endpoint: sub.endpoint,
          push_p256dh: sub.p256dh,
          push_auth: sub.auth,
          push_updated_at: now,
          enrolled_at: now,
          last_seen_at: null,
          retired_at: null,
        });
      }
    }
    await db.insertInto('users').values(users).execute();
    await db.insertInto('group_members').values(members).execute();
    if (devices.length) await db.insertInto('devices').values(devices).execute();
  }
  const policy = await createPolicy(ctx, { name: o.policy, settings: { notification: o.notification ?? 'email' } });
  await assignPolicy(ctx, o.policy, { include: [o.group], exclude: [] });
  return { userIds, policyId: policy.id };
}
