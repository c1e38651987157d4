import { afterAll, describe, expect, it } from 'vitest';
import { type CaSigner, createCa, loadCa } from '../ca.ts';
import type { KeyAlgorithm } from '../generate-key-pair.ts';
import { randomSerial } from '../serial.ts';
import { createOpensslWorkspace, toPem } from '../testing/openssl.ts';
import { createRaCertificate, loadScepRa, type ScepRa } from './ra-certificate.ts';
import { createScepService, type ScepServiceOptions } from './scep-service.ts';

const NOW = new Date('2026-01-15T10:00:00Z');
const DAY = 86_400_000;
const ssl = createOpensslWorkspace();
afterAll(() => ssl.cleanup());

async function caAndRa(keyAlgorithm: KeyAlgorithm = 'RSA-2048'): Promise<{ ca: CaSigner; ra: ScepRa }> {
  const ca = await loadCa(await createCa({ commonName: 'Root', keyAlgorithm, validityYears: 1, now: NOW }));
  const ra = loadScepRa(await createRaCertificate(ca, { notBefore: NOW, notAfter: new Date(NOW.getTime() + 300 * DAY), serial: randomSerial() }), ca);
  return { ca, ra };
}

async function service(overrides: Partial<ScepServiceOptions> = {}) {
  const { ca, ra } = await caAndRa();
  return {
    ca,
    ra,
    scep: createScepService({
      ca,
      ra: async () => ({ current: ra, previous: [] }),
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

  it('serves the RA and the CA certificate as a degenerate PKCS #7 (RFC 8894 §4.2.1.2)', async () => {
    const { scep, ca, ra } = await service();
    const reply = await scep.handle({ operation: 'GetCACert', message: null });
    expect(reply.contentType).toBe('application/x-x509-ca-ra-cert');
    ssl.write('cacert.p7', reply.body as Uint8Array);
    const printed = ssl.run(['pkcs7', '-inform', 'DER', '-in', `${ssl.dir}/cacert.p7`, '-print_certs']);
    expect(printed.status, printed.output).toBe(0);
    const pems = printed.output.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    expect(pems.map((p) => Buffer.from(p.replace(/-----[^-]+-----|\s/g, ''), 'base64'))).toEqual([Buffer.from(ra.certificateDer), Buffer.from(ca.certificateDer)]);
  });

  it('issues an RA certificate OpenSSL accepts for signing and key transport, chained to the CA', async () => {
    const { ca, ra } = await caAndRa();
    const caPem = ssl.write('ca.pem', toPem(ca.certificateDer, 'CERTIFICATE'));
    const raPem = ssl.write('ra.pem', toPem(ra.certificateDer, 'CERTIFICATE'));
    const text = ssl.run(['x509', '-in', raPem, '-noout', '-subject', '-ext', 'keyUsage,basicConstraints']).output;
    expect(text).toContain('CN = Root SCEP RA');
    expect(text).toMatch(/critical\s+Digital Signature, Key Encipherment\s/);
    expect(text).toContain('CA:FALSE');
    const verified = ssl.run(['verify', '-attime', String(NOW.getTime() / 1000 + 3600), '-CAfile', caPem, raPem]);
    expect(verified.output).toContain(': OK');
  });

  it('refuses to load an RA that another CA issued', async () => {
    const { ra } = await caAndRa();
    const other = await caAndRa();
    const material = { certificateDer: ra.certificateDer, privateKeyPkcs8: new Uint8Array(ra.keyObject.export({ type: 'pkcs8', format: 'der' })) };
    expect(() => loadScepRa(material, other.ca)).toThrow(/not issued by the active CA/);
  });

  it('answers malformed input with HTTP 400 and a clear text', async () => {
    const { scep } = await service();
    const garbage = await scep.handle({ operation: 'PKIOperation', message: new Uint8Array([0x30, 0x03, 1, 2]) });
    expect(garbage.status).toBe(400);
    expect(garbage.body).toMatch(/not a CMS SignedData/);
    expect((await scep.handle({ operation: 'PKIOperation', message: null })).status).toBe(400);
    expect((await scep.handle({ operation: 'Nope', message: null })).status).toBe(400);
  });

  it('serves an EC CA through its RSA RA (requests are encrypted to the RA key)', async () => {
    const { ca, ra } = await caAndRa('EC-P256');
    expect(ra.keyObject.asymmetricKeyType).toBe('rsa');
    const scep = createScepService({ ca, ra: async () => ({ current: ra, previous: [] }), allowLegacyDes: false, verifyChallenge: async () => null, issue: async () => new Uint8Array(), rememberTransaction: async () => true });
    const reply = await scep.handle({ operation: 'GetCACert', message: null });
    expect(reply.contentType).toBe('application/x-x509-ca-ra-cert');
  });
});
