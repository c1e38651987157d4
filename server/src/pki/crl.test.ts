import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaSigner, createCa, loadCa } from './ca.ts';
import { buildCrl } from './crl.ts';
import { createOpensslWorkspace, toPem } from './testing/openssl.ts';

const NOW = new Date('2026-01-15T10:00:00Z');
const ws = createOpensslWorkspace();
let ca: CaSigner;
let caPem: string;

beforeAll(async () => {
  const material = await createCa({ commonName: 'Portal Root', keyAlgorithm: 'EC-P256', validityYears: 5, now: NOW });
  ca = await loadCa(material);
  caPem = ws.write('ca.pem', toPem(material.certificateDer, 'CERTIFICATE'));
});
afterAll(() => ws.cleanup());

describe('buildCrl', () => {
  it('builds a v2 CRL openssl parses and verifies (golden)', async () => {
    const der = await buildCrl(ca, {
      revoked: [
        { serialHex: '0a1b2c3d4e5f60718293a4b5c6d7e8f9', revokedAt: new Date('2026-01-10T08:00:00Z'), reason: 'keyCompromise' },
        { serialHex: '7f', revokedAt: new Date('2026-01-11T08:00:00Z') },
      ],
      thisUpdate: NOW,
      nextUpdate: new Date('2026-01-22T10:00:00Z'),
      crlNumber: 42,
    });
    const path = ws.write('x.crl', der);
    const text = ws.run(['crl', '-inform', 'DER', '-in', path, '-noout', '-text']);
    expect(text.status).toBe(0);
    expect(text.output).toContain('Version 2 (0x1)');
    expect(text.output).toContain('Last Update: Jan 15 10:00:00 2026 GMT');
    expect(text.output).toContain('Next Update: Jan 22 10:00:00 2026 GMT');
    expect(text.output).toMatch(/X509v3 CRL Number: \s+42/);
    expect(text.output).toContain('X509v3 Authority Key Identifier');
    expect(text.output).toContain('Serial Number: 0A1B2C3D4E5F60718293A4B5C6D7E8F9');
    expect(text.output).toMatch(/Revocation Date: Jan 10 08:00:00 2026 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Key Compromise/);
    expect(text.output).toContain('Serial Number: 7F');
    const verify = ws.run(['crl', '-inform', 'DER', '-in', path, '-noout', '-CAfile', caPem]);
    expect(verify.output).toContain('verify OK');
  });

  it('builds an empty CRL', async () => {
    const der = await buildCrl(ca, { revoked: [], thisUpdate: NOW, nextUpdate: new Date('2026-01-16T10:00:00Z'), crlNumber: 1n });
    const text = ws.run(['crl', '-inform', 'DER', '-in', ws.write('e.crl', der), '-noout', '-text']);
    expect(text.output).toContain('No Revoked Certificates');
  });

  it('rejects invalid input', async () => {
    await expect(buildCrl(ca, { revoked: [{ serialHex: 'zz', revokedAt: NOW }], thisUpdate: NOW, nextUpdate: new Date('2026-02-01T00:00:00Z'), crlNumber: 1 })).rejects.toThrow(/hex/);
    await expect(buildCrl(ca, { revoked: [], thisUpdate: NOW, nextUpdate: NOW, crlNumber: 1 })).rejects.toThrow(/thisUpdate/);
  });
});
