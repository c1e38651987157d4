import { describe, expect, it } from 'vitest';
import { isAppError } from '../../errors.ts';
import { createCa, loadCa } from '../ca.ts';
import { createScepService, type ScepServiceOptions } from './scep-service.ts';

const NOW = new Date('2026-01-15T10:00:00Z');

async function service(overrides: Partial<ScepServiceOptions> = {}) {
  const ca = await loadCa(await createCa({ commonName: 'Root', keyAlgorithm: 'RSA-2048', validityYears: 1, now: NOW }));
  return {
    ca,
    scep: createScepService({
      ca,
      allowLegacyDes: false,
      verifyChallenge: async () => null,
      issue: async () => new Uint8Array(),
      rememberTransaction: async () => true,
      ...overrides,
    }),
  };
}

describe('createScepService', () => {
  it('advertises exactly the implemented capabilities', async () => {
    const { scep } = await service();
    const caps = await scep.handle({ operation: 'GetCACaps', message: null });
    expect(caps.body).toBe('AES\nDES3\nPOSTPKIOperation\nSCEPStandard\nSHA-1\nSHA-256\nSHA-512\n');
    const withRenewal = await service({ findIssuedBySigner: async () => null });
    expect(String((await withRenewal.scep.handle({ operation: 'GetCACaps', message: null })).body)).toContain('Renewal');
  });

  it('serves the CA certificate', async () => {
    const { scep, ca } = await service();
    const reply = await scep.handle({ operation: 'GetCACert', message: null });
    expect(reply.contentType).toBe('application/x-x509-ca-cert');
    expect(reply.body).toEqual(ca.certificateDer);
  });

  it('answers malformed input with HTTP 400 and a clear text', async () => {
    const { scep } = await service();
    const garbage = await scep.handle({ operation: 'PKIOperation', message: new Uint8Array([0x30, 0x03, 1, 2]) });
    expect(garbage.status).toBe(400);
    expect(garbage.body).toMatch(/not a CMS SignedData/);
    expect((await scep.handle({ operation: 'PKIOperation', message: null })).status).toBe(400);
    expect((await scep.handle({ operation: 'Nope', message: null })).status).toBe(400);
  });

  it('refuses an EC CA (requests are encrypted to the CA key)', async () => {
    const ca = await loadCa(await createCa({ commonName: 'EC', keyAlgorithm: 'EC-P256', validityYears: 1, now: NOW }));
    let error: unknown;
    try {
      createScepService({ ca, allowLegacyDes: false, verifyChallenge: async () => null, issue: async () => new Uint8Array(), rememberTransaction: async () => true });
    } catch (e) {
      error = e;
    }
    expect(isAppError(error, 'validation_failed')).toBe(true);
  });
});
