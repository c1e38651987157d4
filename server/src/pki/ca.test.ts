import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { createCa, loadCa } from './ca.ts';
import { createOpensslWorkspace, toPem } from './testing/openssl.ts';

const NOW = new Date('2026-01-15T10:00:00Z');
const ws = createOpensslWorkspace();
afterAll(() => ws.cleanup());

describe('createCa', () => {
  it.each(['RSA-2048', 'EC-P256'] as const)('makes a self-signed %s root openssl accepts', async (keyAlgorithm) => {
    const ca = await createCa({ commonName: 'Portal Root', organization: 'Example', keyAlgorithm, validityYears: 10, now: NOW });
    const pem = ws.write(`ca-${keyAlgorithm}.pem`, toPem(ca.certificateDer, 'CERTIFICATE'));
    const text = ws.run(['x509', '-in', pem, '-noout', '-text']);
    expect(text.status).toBe(0);
    expect(text.output).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text.output).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text.output).toContain('Subject Key Identifier');
    expect(text.output).toContain('Subject: O = Example, CN = Portal Root');
    expect(text.output).toContain('Not Before: Jan 15 10:00:00 2026 GMT');
    expect(text.output).toContain('Not After : Jan 15 10:00:00 2036 GMT');
    const verify = ws.run(['verify', '-attime', String(NOW.getTime() / 1000 + 60), '-CAfile', pem, pem]);
    expect(verify.output).toContain(': OK');
    const signer = await loadCa(ca);
    expect(signer.keyAlgorithm).toBe(keyAlgorithm);
  });

  it('refuses a key that does not match the certificate', async () => {
    const a = await createCa({ commonName: 'A', keyAlgorithm: 'EC-P256', validityYears: 1, now: NOW });
    const b = await createCa({ commonName: 'B', keyAlgorithm: 'EC-P256', validityYears: 1, now: NOW });
    const error = await loadCa({ certificateDer: a.certificateDer, privateKeyPkcs8: b.privateKeyPkcs8 }).catch((e) => e);
    expect(isAppError(error, 'certificate_rejected')).toBe(true);
  });

  it('refuses a nonsense validity', async () => {
    await expect(createCa({ commonName: 'A', keyAlgorithm: 'EC-P256', validityYears: 0, now: NOW })).rejects.toThrow(/validityYears/);
  });
});
