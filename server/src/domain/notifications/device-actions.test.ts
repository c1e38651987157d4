import { describe, expect, it } from 'vitest';
import { policySettingsSchema } from '../../../../shared/schemas/policy.ts';
import { createFakeClock } from '../../../../tests/support/fake-clock.ts';
import type { Store } from '../../ports.ts';
import type { Credential } from '../credentials/types.ts';
import type { Device } from '../devices/types.ts';
import type { Policy } from '../policy/types.ts';
import { deviceActions } from './device-actions.ts';

const device = { id: 'dev-1', userId: 'user-1' } as Device;

function credential(over: Partial<Credential>): Credential {
  return {
    id: Math.random().toString(36),
    userId: 'user-1',
    purpose: 'smimeEncryption',
    source: 'issued',
    status: 'active',
    certificateDer: new Uint8Array(),
    chain: [],
    sha1: 'a',
    sha256: over.sha256 ?? Math.random().toString(16),
    serialHex: '01',
    issuer: 'CN=CA',
    subject: 'CN=u',
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2027-01-01T00:00:00Z'),
    keyAlgorithm: 'RSA-2048',
    sealedKeyId: null,
    caId: null,
    deviceId: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    revokedAt: null,
    revocationReason: null,
    deletedAt: null,
    ...over,
  };
}

/** Fake ports: just what deviceActions reads. */
function fakeStore(state: { pending?: { id: string; sentAt: Date } | null; credentials: Credential[]; signing?: 'scep' | 'importedPkcs' }): Store {
  const policy = { settings: policySettingsSchema.parse({ signing: { profileType: state.signing ?? 'scep', renewalThreshold: 0.8 } }) } as Policy;
  return {
    inbox: { pendingDelivery: async () => state.pending ?? null },
    policies: { policiesForUser: async () => [policy] },
    credentials: { listForUser: async () => [...state.credentials].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()) },
  } as unknown as Store;
}

describe('deviceActions', () => {
  it('lists nothing when all is done', async () => {
    const clock = createFakeClock(new Date('2026-03-01T00:00:00Z'));
    const store = fakeStore({ credentials: [credential({}), credential({ purpose: 'smimeSigning', deviceId: 'dev-1', notAfter: new Date('2027-01-01T00:00:00Z') })] });
    expect(await deviceActions({ store, clock, actor: 't' }, device)).toEqual([]);
  });

  it('asks to retrieve while a notice is sent but not retrieved', async () => {
    const clock = createFakeClock(new Date('2026-03-01T00:00:00Z'));
    const sentAt = new Date('2026-02-28T10:00:00Z');
    const store = fakeStore({ pending: { id: 'r-1', sentAt }, credentials: [credential({})] });
    expect(await deviceActions({ store, clock, actor: 't' }, device)).toEqual([{ kind: 'retrieve', recipientId: 'r-1', since: sentAt }]);
  });

  it("asks to renew this device's signing certificate past the threshold, not another device's", async () => {
    // 2026-01-01 → 2027-01-01: 80% is around 2026-10-19.
    const clock = createFakeClock(new Date('2026-10-25T00:00:00Z'));
    const mine = credential({ purpose: 'smimeSigning', deviceId: 'dev-1', sha256: 'mine' });
    const other = credential({ purpose: 'smimeSigning', deviceId: 'dev-2', sha256: 'other' });
    const store = fakeStore({ credentials: [mine, other, credential({ notAfter: new Date('2028-01-01T00:00:00Z') })] });
    const actions = await deviceActions({ store, clock, actor: 't' }, device);
    expect(actions).toEqual([{ kind: 'renewSigning', thumbprint: 'mine', notAfter: mine.notAfter }]);
    clock.set(new Date('2026-10-01T00:00:00Z'));
    expect(await deviceActions({ store, clock, actor: 't' }, device)).toEqual([]);
  });

  it('warns 30 days before the current encryption certificate expires, unless a successor exists', async () => {
    const clock = createFakeClock(new Date('2026-12-10T00:00:00Z'));
    const current = credential({ sha256: 'current' });
    const store = fakeStore({ credentials: [current] });
    expect(await deviceActions({ store, clock, actor: 't' }, device)).toEqual([{ kind: 'expiring', thumbprint: 'current', notAfter: current.notAfter }]);
    const successor = credential({ sha256: 'next', notBefore: new Date('2026-12-01T00:00:00Z'), notAfter: new Date('2027-12-01T00:00:00Z'), createdAt: new Date('2026-12-01T00:00:00Z') });
    const renewed = fakeStore({ credentials: [current, successor] });
    expect(await deviceActions({ store: renewed, clock, actor: 't' }, device)).toEqual([]);
  });

  it('does not ask to renew signing when the policy does not use scep', async () => {
    const clock = createFakeClock(new Date('2026-12-25T00:00:00Z'));
    const store = fakeStore({ signing: 'importedPkcs', credentials: [credential({ purpose: 'smimeSigning', deviceId: 'dev-1' }), credential({ notAfter: new Date('2028-01-01T00:00:00Z') })] });
    expect(await deviceActions({ store, clock, actor: 't' }, device)).toEqual([]);
  });
});
