import type { Kysely, Selectable } from 'kysely';
import type { Device, DeviceRepo, EnrollmentCodeRecord } from '../domain/devices/types.ts';
import type { Database, DevicesTable, EnrollmentCodesTable } from './schema.ts';

const date = (v: number | null): Date | null => (v === null ? null : new Date(Number(v)));

/** Maps a devices row to the domain's Device. */
export function toDevice(r: Selectable<DevicesTable>): Device {
  return {
    id: r.id,
    userId: r.user_id,
    platform: r.platform,
    name: r.name,
    status: r.status,
    identityKey: r.identity_key,
    transportKey: r.transport_key,
    push:
      r.push_endpoint && r.push_p256dh && r.push_auth
        ? { endpoint: r.push_endpoint, p256dh: r.push_p256dh, auth: r.push_auth, updatedAt: new Date(Number(r.push_updated_at ?? 0)) }
        : null,
    enrolledAt: new Date(Number(r.enrolled_at)),
    lastSeenAt: date(r.last_seen_at),
    retiredAt: date(r.retired_at),
  };
}

function toCode(r: Selectable<EnrollmentCodesTable>): EnrollmentCodeRecord {
  return {
    id: r.id,
    userId: r.user_id,
    codeHash: r.code_hash,
    createdAt: new Date(Number(r.created_at)),
    expiresAt: new Date(Number(r.expires_at)),
    usedAt: date(r.used_at),
    createdBy: r.created_by,
  };
}

export function createDeviceRepo(db: Kysely<Database>): DeviceRepo {
  return {
    async createEnrollmentCode(c) {
      await db
        .insertInto('enrollment_codes')
        .values({ id: c.id, user_id: c.userId, code_hash: c.codeHash, created_at: c.createdAt.getTime(), expires_at: c.expiresAt.getTime(), used_at: null, created_by: c.createdBy })
        .execute();
    },
    async findEnrollmentCode(codeHash) {
      const r = await db.selectFrom('enrollment_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
      return r ? toCode(r) : null;
    },
    async markCodeUsed(id, now) {
      const r = await db.updateTable('enrollment_codes').set({ used_at: now.getTime() }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async createDevice(d, now) {
      const row: Selectable<DevicesTable> = {
        id: d.id,
        user_id: d.userId,
        platform: d.platform,
        name: d.name,
        status: 'enrolled',
        identity_key: d.identityKey,
        transport_key: d.transportKey,
        push_endpoint: null,
        push_p256dh: null,
        push_auth: null,
        push_updated_at: null,
        enrolled_at: now.getTime(),
        last_seen_at: null,
        retired_at: null,
      };
      await db.insertInto('devices').values(row).execute();
      return toDevice(row);
    },
    async getDevice(id) {
      const r = await db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toDevice(r) : null;
    },
    async listDevices(userId) {
      return (await db.selectFrom('devices').selectAll().where('user_id', '=', userId).orderBy('id').execute()).map(toDevice);
    },
    async retire(id, now) {
      const r = await db.updateTable('devices').set({ status: 'retired', retired_at: now.getTime() }).where('id', '=', id).where('status', '=', 'enrolled').executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async touch(id, now) {
      await db.updateTable('devices').set({ last_seen_at: now.getTime() }).where('id', '=', id).execute();
    },
    async createNonce(n, now) {
      await db
        .insertInto('device_nonces')
        .values({ id: n.id, device_id: n.deviceId, nonce_hash: n.nonceHash, created_at: now.getTime(), expires_at: n.expiresAt.getTime(), used_at: null })
        .execute();
    },
    async consumeNonce(deviceId, nonceHash, now) {
      // One conditional UPDATE: of two concurrent uses exactly one sees used_at null.
      const r = await db
        .updateTable('device_nonces')
        .set({ used_at: now.getTime() })
        .where('nonce_hash', '=', nonceHash)
        .where('device_id', '=', deviceId)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now.getTime())
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async createSession(s, now) {
      await db
        .insertInto('device_sessions')
        .values({ id: s.id, device_id: s.deviceId, token_hash: s.tokenHash, created_at: now.getTime(), expires_at: s.expiresAt.getTime() })
        .execute();
    },
    async findSession(tokenHash) {
      const r = await db.selectFrom('device_sessions').select(['device_id', 'token_hash', 'expires_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
      return r ? { deviceId: r.device_id, tokenHash: r.token_hash, expiresAt: new Date(Number(r.expires_at)) } : null;
    },
    async deleteSessionsOf(deviceId) {
      await db.deleteFrom('device_sessions').where('device_id', '=', deviceId).execute();
      await db.deleteFrom('device_nonces').where('device_id', '=', deviceId).execute();
    },
    async purgeExpired(now) {
      const a = await db.deleteFrom('device_sessions').where('expires_at', '<=', now.getTime()).executeTakeFirst();
      const b = await db.deleteFrom('device_nonces').where('expires_at', '<=', now.getTime()).executeTakeFirst();
      return Number(a.numDeletedRows) + Number(b.numDeletedRows);
    },
    async setPush(deviceId, push, now) {
      await db
        .updateTable('devices')
        .set({ push_endpoint: push?.endpoint ?? null, push_p256dh: push?.p256dh ?? null, push_auth: push?.auth ?? null, push_updated_at: now.getTime() })
        .where('id', '=', deviceId)
        .execute();
    },
    async pushSubscriptionsOf(userId) {
      const rows = await db
        .selectFrom('devices')
        .select(['id', 'push_endpoint', 'push_p256dh', 'push_auth'])
        .where('user_id', '=', userId)
        .where('status', '=', 'enrolled')
        .where('push_endpoint', 'is not', null)
        .orderBy('id')
        .execute();
      return rows.flatMap((r) => (r.push_endpoint && r.push_p256dh && r.push_auth ? [{ deviceId: r.id, endpoint: r.push_endpoint, p256dh: r.push_p256dh, auth: r.push_auth }] : []));
    },
  };
}
