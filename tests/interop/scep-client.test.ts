import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPem } from '../../server/src/pki/testing/openssl.ts';
import { type ScepHarness, startScepHarness } from './scep-harness.ts';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'scepclient-'));
let harness: ScepHarness;
let caPem: string;

beforeAll(async () => {
  // Debian's scepclient 2.1.0 always encrypts with single DES, so the legacy switch is on here.
  harness = await startScepHarness({ allowLegacyDes: true });
  caPem = join(root, 'ca.pem');
  writeFileSync(caPem, toPem(harness.caDer, 'CERTIFICATE'));
});
afterAll(async () => {
  await harness.close();
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
/** Runs scepclient in a fresh directory (it caches self.pem beside the key). */
async function enroll(challenge: string): Promise<{ ok: boolean; output: string; certPath: string }> {
  const dir = join(root, `e${counter++}`);
  execFileSync('mkdir', [dir]);
  const key = join(dir, 'k.pem');
  execFileSync('openssl', ['genrsa', '-traditional', '-out', key, '2048'], { stdio: 'ignore' });
  const certPath = join(dir, 'c.pem');
  const args = ['-server-url', harness.url, '-private-key', key, '-certificate', certPath, '-challenge', challenge, '-cn', 'alice'];
  try {
    const r = await run('scepclient', args, { encoding: 'utf8', timeout: 30_000 });
    return { ok: existsSync(certPath), output: r.stdout + r.stderr, certPath };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}`, certPath };
  }
}

function x509(certPath: string, ...args: string[]): string {
  return execFileSync('openssl', ['x509', '-in', certPath, '-noout', ...args], { encoding: 'utf8' });
}

describe('scepclient when single DES is not allowed', () => {
  it('gets a signed badAlg failure and nothing is issued', async () => {
    const strict = await startScepHarness({ allowLegacyDes: false });
    try {
      strict.challenges.set('strict', { email: 'carol@example.org' });
      const saved = harness;
      harness = strict;
      const result = await enroll('strict').finally(() => {
        harness = saved;
      });
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/failInfo: badAlg/);
      expect(strict.challenges.has('strict')).toBe(true);
      expect(strict.issuedSerials).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });
});

describe('scepclient (Debian scep 2.1.0) against our SCEP service', () => {
  it('enrolls and binds the challenge owner, not the requested CN', async () => {
    harness.challenges.set('good-1', { email: 'alice@example.org', displayName: 'Alice Example' });
    const result = await enroll('good-1');
    expect(result.ok, result.output).toBe(true);
    expect(x509(result.certPath, '-ext', 'subjectAltName')).toContain('email:alice@example.org');
    expect(x509(result.certPath, '-subject')).toContain('CN = Alice Example');
    const verify = execFileSync('openssl', ['verify', '-CAfile', caPem, '-purpose', 'smimesign', result.certPath], { encoding: 'utf8' });
    expect(verify).toContain(': OK');
  });

  it('refuses a wrong challenge with a CertRep failure', async () => {
    const result = await enroll('no-such-challenge');
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/failInfo: badRequest/);
  });

  it('refuses a reused challenge', async () => {
    harness.challenges.set('once', { email: 'bob@example.org' });
    expect((await enroll('once')).ok).toBe(true);
    const again = await enroll('once');
    expect(again.ok).toBe(false);
    expect(again.output).toMatch(/failInfo: badRequest/);
  });

  it('issues distinct serials to 8 parallel enrollments', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `par-${i}`);
    for (const name of names) harness.challenges.set(name, { email: `${name}@example.org` });
    const results = await Promise.all(names.map((name) => enroll(name)));
    for (const r of results) expect(r.ok, r.output).toBe(true);
    const serials = results.map((r) => x509(r.certPath, '-serial').trim());
    expect(new Set(serials).size).toBe(8);
    const emails = results.map((r) => x509(r.certPath, '-ext', 'subjectAltName'));
    for (const [i, name] of names.entries()) expect(emails[i]).toContain(`email:${name}@example.org`);
  });
});
