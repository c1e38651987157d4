import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { policySettingsSchema } from '../../shared/schemas/policy.ts';
import { AppError } from '../../server/src/errors.ts';
import type { Store } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { createFakeClock } from '../support/fake-clock.ts';

const settings = policySettingsSchema.parse({});

/**
 * The one contract every Store must keep, run against SQLite and PostgreSQL alike (pg-boss
 * style): the same operations, the same answers.
 */
export function defineStoreContract(label: string, open: () => Promise<OpenDatabase>): void {
  describe(`Store contract on ${label}`, () => {
    let database: OpenDatabase;
    let store: Store;
    const clock = createFakeClock();
    let seq = 0;
    const email = () => `user${++seq}-${Math.random().toString(36).slice(2, 7)}@example.com`;

    beforeAll(async () => {
      database = await open();
      store = createStore(database.db, database.kind);
    });
    afterAll(async () => {
      await database?.close();
    });
    beforeEach(() => clock.advance(1000));

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('upserts users idempotently by email', async () => {
      const e = email();
      const a = await store.directory.upsertUser({ email: e, displayName: 'Ann' }, clock.now());
      expect(a).toMatchObject({ created: true, changed: true, user: { email: e, displayName: 'Ann', locale: null } });
      const b = await store.directory.upsertUser({ email: e, displayName: 'Ann' }, clock.now());
      expect(b).toMatchObject({ created: false, changed: false });
      expect(b.user.id).toBe(a.user.id);
      const c = await store.directory.upsertUser({ email: e, locale: 'zh-TW' }, clock.now());
      expect(c).toMatchObject({ created: false, changed: true, user: { displayName: 'Ann', locale: 'zh-TW' } });
      expect((await store.directory.findUserByEmail(e))?.locale).toBe('zh-TW');
    });

    it('keeps unicode display names exactly', async () => {
      const e = email();
      await store.directory.upsertUser({ email: e, displayName: '王小明 🙂 Ñandú' }, clock.now());
      expect((await store.directory.findUserByEmail(e))?.displayName).toBe('王小明 🙂 Ñandú');
    });

    it('pages users in id order and searches without LIKE wildcards leaking', async () => {
      const tag = Math.random().toString(36).slice(2, 8);
      for (let i = 0; i < 5; i++) await store.directory.upsertUser({ email: `page${i}-${tag}@example.com`, displayName: `P_${tag} ${i}` }, clock.now());
      const first = await store.directory.listUsers({ query: tag, limit: 3 });
      expect(first.items).toHaveLength(3);
      expect(first.next).not.toBeNull();
      const second = await store.directory.listUsers({ query: tag, limit: 3, after: first.next! });
      expect(second.items).toHaveLength(2);
      expect(second.next).toBeNull();
      const ids = [...first.items, ...second.items].map((u) => u.id);
      expect([...ids].sort()).toEqual(ids);
      expect((await store.directory.listUsers({ query: `p%${tag}`, limit: 10 })).items).toHaveLength(0);
    });

    it('creates groups once and adds members idempotently', async () => {
      const g = await store.directory.createGroup(`Group ${seq++}`, clock.now());
      await expect(store.directory.createGroup(g.name, clock.now())).rejects.toMatchObject({ code: 'conflict' });
      const u = (await store.directory.upsertUser({ email: email() }, clock.now())).user;
      expect(await store.directory.addMember(g.id, u.id)).toBe(true);
      expect(await store.directory.addMember(g.id, u.id)).toBe(false);
      expect((await store.directory.findGroupByName(g.name))?.memberCount).toBe(1);
      expect((await store.directory.groupsOf(u.id)).map((x) => x.name)).toEqual([g.name]);
      expect(await store.directory.removeMember(g.id, u.id)).toBe(true);
      expect((await store.directory.listMembers(g.id, { limit: 10 })).items).toHaveLength(0);
    });

    it('resolves policy targets: include groups minus exclude groups (exclude wins)', async () => {
      const staff = await store.directory.createGroup(`staff-${seq++}`, clock.now());
      const contractors = await store.directory.createGroup(`contractors-${seq++}`, clock.now());
      const legal = await store.directory.createGroup(`legal-${seq++}`, clock.now());
      const [a, b, c, d] = await Promise.all([email(), email(), email(), email()].map(async (e) => (await store.directory.upsertUser({ email: e }, clock.now())).user));
      await store.directory.addMember(staff.id, a!.id);
      await store.directory.addMember(staff.id, b!.id);
      await store.directory.addMember(legal.id, c!.id);
      await store.directory.addMember(contractors.id, b!.id);
      await store.directory.addMember(contractors.id, d!.id);
      const policy = await store.policies.createPolicy(`p-${seq++}`, settings, clock.now());
      await store.policies.setAssignments(policy.id, [
        { groupId: staff.id, mode: 'include' },
        { groupId: legal.id, mode: 'include' },
        { groupId: contractors.id, mode: 'exclude' },
      ]);
      const page = await store.policies.listTargets(policy.id, { limit: 10 });
      expect(page.items.map((u) => u.id).sort()).toEqual([a!.id, c!.id].sort());
      expect(await store.policies.countTargets(policy.id)).toBe(2);
      expect((await store.policies.policiesForUser(a!.id)).map((p) => p.id)).toEqual([policy.id]);
      expect(await store.policies.policiesForUser(b!.id)).toEqual([]);
      const loaded = await store.policies.getPolicy(policy.id);
      expect(loaded?.assignments.map((x) => x.mode).sort()).toEqual(['exclude', 'include', 'include']);
    });

    it('stores policy settings as given', async () => {
      const custom = policySettingsSchema.parse({ notification: 'email', signing: { profileType: 'importedPkcs' }, encryptAll: true });
      const p = await store.policies.createPolicy(`s-${seq++}`, custom, clock.now());
      expect((await store.policies.findPolicyByName(p.name))?.settings).toEqual(custom);
      await expect(store.policies.createPolicy(p.name, custom, clock.now())).rejects.toBeInstanceOf(AppError);
    });

    it('rolls a transaction back whole on error', async () => {
      const e = email();
      await expect(
        store.transaction(async (tx) => {
          await tx.directory.upsertUser({ email: e }, clock.now());
          await tx.directory.createGroup(`tx-${seq++}`, clock.now());
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.directory.findUserByEmail(e)).toBeNull();
    });

    it('appends and filters the audit log newest first', async () => {
      const target = `t-${seq++}`;
      await store.audit.append({ at: clock.now(), actor: 'cli', action: 'x.one', target, details: { n: 1 } });
      clock.advance(5);
      await store.audit.append({ at: clock.now(), actor: 'cli', action: 'x.two', target, details: null });
      const all = await store.audit.list({ target, limit: 10 });
      expect(all.map((e) => e.action)).toEqual(['x.two', 'x.one']);
      expect(all[1]?.details).toEqual({ n: 1 });
      expect(await store.audit.list({ target, action: 'x.one', limit: 10 })).toHaveLength(1);
    });

    it('keeps admin tokens by hash and revokes them once', async () => {
      const hash = `h${seq++}${'0'.repeat(40)}`;
      const t = await store.tokens.create({ id: `tok-${seq}`, name: 'ops', tokenHash: hash, scopes: ['read'] }, clock.now());
      expect((await store.tokens.findByHash(hash))?.scopes).toEqual(['read']);
      expect(await store.tokens.revoke(t.id, clock.now())).toBe(true);
      expect(await store.tokens.revoke(t.id, clock.now())).toBe(false);
      expect((await store.tokens.findByHash(hash))?.revokedAt).not.toBeNull();
    });

    it('sets a kv key only once with setIfAbsent', async () => {
      const key = `k${seq++}`;
      expect(await store.kv.setIfAbsent(key, 'first')).toBe('first');
      expect(await store.kv.setIfAbsent(key, 'second')).toBe('first');
      await store.kv.set(key, 'third');
      expect(await store.kv.get(key)).toBe('third');
    });
  });
}
