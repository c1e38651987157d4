import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.ts';
import { type Running, startServer } from '../../server/src/serve.ts';

const dir = mkdtempSync(join(tmpdir(), 'smime-anchors-'));

describe('trust anchors for devices and mail clients', () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer(loadConfig({ DATA_DIR: join(dir, 'data'), PORT: '0', WORKER: 'off', LOG_LEVEL: 'silent' }), () => undefined);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the built-in root as DER at /ca.crt and PEM at /ca.pem, the same certificate', async () => {
    const der = await fetch(`${server.url}/ca.crt`);
    expect(der.status).toBe(200);
    expect(der.headers.get('content-type')).toBe('application/pkix-cert');
    writeFileSync(join(dir, 'ca.der'), new Uint8Array(await der.arrayBuffer()));
    const text = execFileSync('openssl', ['x509', '-inform', 'DER', '-in', join(dir, 'ca.der'), '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/CA:TRUE/);
    expect(text).toMatch(/Certificate Sign, CRL Sign/);

    const pem = await fetch(`${server.url}/ca.pem`);
    expect(pem.headers.get('content-type')).toBe('application/x-pem-file');
    writeFileSync(join(dir, 'ca.pem'), await pem.text());
    const fp = (args: string[]) => execFileSync('openssl', ['x509', ...args, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    expect(fp(['-in', join(dir, 'ca.pem')])).toBe(fp(['-inform', 'DER', '-in', join(dir, 'ca.der')]));
  });

  it('verifies the CRL it publishes with that root', async () => {
    writeFileSync(join(dir, 'crl.der'), new Uint8Array(await (await fetch(`${server.url}/crl`)).arrayBuffer()));
    const r = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', join(dir, 'crl.der'), '-CAfile', join(dir, 'ca.pem'), '-noout'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/verify OK/);
  });
});
