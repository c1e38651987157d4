/**
 * Interop with certmonger's SCEP helper (`/usr/lib/certmonger/scep-submit`, Debian package
 * certmonger): it reads our GetCACaps and GetCACert answers with its own HTTP and OpenSSL code.
 * Its PKIOperation path does not work against this CA yet — OpenSSL's PKCS7_verify requires
 * digitalSignature on the certificate that signs the CertRep, and the built-in CA carries only
 * keyCertSign + cRLSign; see the issue 3 notes — so only the read-only operations are tested here.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScepHarness, startScepHarness } from './scep-harness.ts';

const run = promisify(execFile);
const SCEP_SUBMIT = '/usr/lib/certmonger/scep-submit';
let harness: ScepHarness;

beforeAll(async () => {
  harness = await startScepHarness({ allowLegacyDes: false });
});
afterAll(async () => {
  await harness.close();
});

describe('certmonger scep-submit', () => {
  it('reads the capabilities we advertise (GetCACaps)', async () => {
    const { stdout } = await run(SCEP_SUBMIT, ['-u', harness.url, '-c'], { encoding: 'utf8', timeout: 20_000 });
    const caps = stdout.split('\n').filter(Boolean);
    for (const cap of ['AES', 'SHA-256', 'POSTPKIOperation', 'SCEPStandard']) expect(caps).toContain(cap);
  });

  it('fetches and parses our CA certificate (GetCACert)', async () => {
    const { stdout } = await run(SCEP_SUBMIT, ['-u', harness.url, '-C'], { encoding: 'utf8', timeout: 20_000 });
    const pems = stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    expect(pems.length).toBeGreaterThanOrEqual(1);
    const fetched = new X509Certificate(pems[0]!);
    expect(fetched.raw.equals(Buffer.from(harness.caDer))).toBe(true);
  });
});
