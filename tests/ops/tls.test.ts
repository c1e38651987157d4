import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.ts';
import { type Running, startServer } from '../../server/src/serve.ts';

const dir = mkdtempSync(join(tmpdir(), 'smime-tls-'));

function get(url: string, ca: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((ok, fail) => {
    const req = httpsRequest(url, { ca, servername: 'localhost' }, (res) => {
      res.resume();
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('TLS and proxies', () => {
  let tls: Running;
  let plain: Running;
  let cert: Buffer;
  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'));
    const quiet = () => undefined;
    tls = await startServer(loadConfig({ DATA_DIR: join(dir, 'a'), PORT: '0', TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: join(dir, 'key.pem'), WORKER: 'off', LOG_LEVEL: 'silent' }), quiet);
    plain = await startServer(loadConfig({ DATA_DIR: join(dir, 'b'), PORT: '0', TRUST_PROXY: '1', WORKER: 'off', LOG_LEVEL: 'silent' }), quiet);
  });
  afterAll(async () => {
    await tls?.stop();
    await plain?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with TLS_CERT/TLS_KEY and sends HSTS', async () => {
    expect(tls.url).toMatch(/^https:\/\//);
    const r = await get(`${tls.url}/api/health`, cert);
    expect(r.status).toBe(200);
    expect(r.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  it('sends no HSTS over plain HTTP, and believes X-Forwarded-Proto only from a trusted proxy', async () => {
    const direct = await fetch(`${plain.url}/api/health`);
    expect(direct.headers.get('strict-transport-security')).toBeNull();
    // The test runs on 127.0.0.1, which TRUST_PROXY=1 trusts: this request is "the proxy".
    const proxied = await fetch(`${plain.url}/api/health`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.headers.get('strict-transport-security')).toMatch(/max-age/);
  });

  it('ignores forwarded headers from a peer that is not a trusted proxy', async () => {
    const untrusted = await startServer(loadConfig({ DATA_DIR: join(dir, 'c'), PORT: '0', WORKER: 'off', LOG_LEVEL: 'silent' }), () => undefined);
    try {
      const forged = await fetch(`${untrusted.url}/api/health`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(forged.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await untrusted.stop();
    }
  });

  it('fails to start on a port in use, naming the cause', async () => {
    const port = new URL(plain.url).port;
    await expect(startServer(loadConfig({ DATA_DIR: join(dir, 'b'), PORT: port, WORKER: 'off', LOG_LEVEL: 'silent' }), () => undefined)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    // The failed start closed what it had opened: the first server still answers.
    expect((await fetch(`${plain.url}/api/health`)).status).toBe(200);
  });

  it('refuses TLS_CERT without TLS_KEY at start', () => {
    expect(() => loadConfig({ TLS_CERT: 'x.pem' })).toThrow(/TLS_KEY: must be set together with TLS_CERT/);
  });
});
