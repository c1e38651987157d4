import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.ts';
import { openRuntime, type Runtime } from '../../server/src/runtime.ts';
import { type Running, startServer } from '../../server/src/serve.ts';
import { cli } from '../support/run-cli.ts';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'scep-route-'));
const env = { DATA_DIR: dataDir, PORT: '0', SCEP_ALLOW_LEGACY_DES: '1', CA_KEY_ALGORITHM: 'RSA-2048', WORKER: 'off', LOG_LEVEL: 'silent', USER: 'tester' };
let server: Running;
/** A second connection to the server's database, to read what it stored. */
let rt: Runtime;
let scepUrl: string;
let caPem: string;

beforeAll(async () => {
  server = await startServer(loadConfig(env), () => undefined);
  rt = await openRuntime(loadConfig(env));
  scepUrl = `${server.url}/scep`;
  for (let i = 0; i < 10; i++) await cli(env, dataDir, 'user', 'add', '--email', `user${i}@example.org`, '--name', `User ${i}`);
  caPem = join(dataDir, 'ca.pem');
  writeFileSync(caPem, await (await fetch(`${server.url}/ca.pem`)).text());
}, 60_000);
afterAll(async () => {
  await rt.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function challenge(email: string): Promise<string> {
  const r = await cli(env, dataDir, 'scep', 'challenge', '--user', email, '--json');
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { challenge: string }).challenge;
}

let counter = 0;
async function enroll(secret: string): Promise<{ ok: boolean; output: string; cert: string; key: string }> {
  const dir = join(dataDir, `e${counter++}`);
  mkdirSync(dir);
  const key = join(dir, 'k.pem');
  execFileSync('openssl', ['genrsa', '-traditional', '-out', key, '2048'], { stdio: 'ignore' });
  return scepclient(key, join(dir, 'c.pem'), ['-challenge', secret]);
}

/**
 * Runs scepclient 2.1.0. It sends a PKCSReq signed by a self-signed certificate when `cert`
 * does not exist yet, and a RenewalReq signed by `cert` (and `key`) when it does; either way
 * the certificate it gets back is written to `cert`.
 */
async function scepclient(key: string, cert: string, extra: string[]): Promise<{ ok: boolean; output: string; cert: string; key: string }> {
  const before = existsSync(cert) ? x509(cert, '-serial') : null;
  try {
    const r = await run('scepclient', ['-server-url', scepUrl, '-private-key', key, '-certificate', cert, '-cn', 'someone-else', '-debug', ...extra], { timeout: 30_000 });
    return { ok: existsSync(cert) && x509(cert, '-serial') !== before, output: r.stdout + r.stderr, cert, key };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}`, cert, key };
  }
}
const x509 = (cert: string, ...args: string[]) => execFileSync('openssl', ['x509', '-in', cert, '-noout', ...args], { encoding: 'utf8' });

describe('/scep on the real server with Debian scepclient', () => {
  it('advertises what it implements', async () => {
    const caps = await (await fetch(`${scepUrl}?operation=GetCACaps`)).text();
    for (const cap of ['AES', 'SHA-256', 'POSTPKIOperation', 'Renewal', 'SCEPStandard']) expect(caps.split('\n')).toContain(cap);
    expect(caps).not.toMatch(/^DES$/m);
  });

  it('hands out its RA and the CA (GetCACert): the RA signs and decrypts, the CA only certifies', async () => {
    const reply = await fetch(`${scepUrl}?operation=GetCACert`);
    expect(reply.headers.get('content-type')).toBe('application/x-x509-ca-ra-cert');
    const p7 = join(dataDir, 'getcacert.p7');
    writeFileSync(p7, new Uint8Array(await reply.arrayBuffer()));
    const printed = execFileSync('openssl', ['pkcs7', '-inform', 'DER', '-in', p7, '-print_certs'], { encoding: 'utf8' });
    const pems = printed.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
    expect(pems).toHaveLength(2);
    const raPem = join(dataDir, 'ra.pem');
    writeFileSync(raPem, pems[0]!);
    expect(pems[1]).toBe(await (await fetch(`${server.url}/ca.pem`)).text());
    expect(x509(raPem, '-subject')).toContain('SCEP RA');
    expect(x509(raPem, '-ext', 'keyUsage')).toMatch(/Digital Signature, Key Encipherment/);
    expect(execFileSync('openssl', ['verify', '-CAfile', caPem, raPem], { encoding: 'utf8' })).toContain(': OK');
    // The RA key is sealed in the vault like every private key: the kv entry names its row.
    const stored = await rt.store.kv.get(`scep.ra.${(await rt.store.ca.getActive())!.id}`);
    expect(JSON.parse(stored!)).toMatchObject({ current: { sealedKeyId: expect.any(String) } });
  });

  it('enrolls with a one-time challenge, binds the challenge owner, stores the credential', async () => {
    const secret = await challenge('user0@example.org');
    const r = await enroll(secret);
    expect(r.ok, r.output).toBe(true);
    expect(x509(r.cert, '-ext', 'subjectAltName')).toContain('email:user0@example.org');
    expect(execFileSync('openssl', ['verify', '-CAfile', caPem, '-purpose', 'smimesign', r.cert], { encoding: 'utf8' })).toContain(': OK');
    const list = JSON.parse((await cli(env, dataDir, 'cert', 'list', '--user', 'user0@example.org', '--json')).out) as { source: string; purpose: string }[];
    expect(list).toMatchObject([{ source: 'scep', purpose: 'smimeSigning' }]);

    const reused = await enroll(secret);
    expect(reused.ok).toBe(false);
    expect(reused.output).toMatch(/failInfo: badRequest/);
    const wrong = await enroll('0123456789abcdef0123456789abcdef');
    expect(wrong.output).toMatch(/failInfo: badRequest/);
  });

  it('renews with a RenewalReq from scepclient: a new certificate for the same user, no challenge', async () => {
    const first = await enroll(await challenge('user0@example.org'));
    expect(first.ok, first.output).toBe(true);
    const firstSerial = x509(first.cert, '-serial');
    const count = async () => (JSON.parse((await cli(env, dataDir, 'cert', 'list', '--user', 'user0@example.org', '--json')).out) as unknown[]).length;
    const before = await count();

    // Same key, the issued certificate in place: scepclient signs with it and sends RenewalReq.
    const renewed = await scepclient(first.key, first.cert, []);
    expect(renewed.ok, renewed.output).toBe(true);
    expect(renewed.output).toContain('signer_cn="User 0"');
    expect(x509(renewed.cert, '-serial')).not.toBe(firstSerial);
    expect(x509(renewed.cert, '-ext', 'subjectAltName')).toContain('email:user0@example.org');
    expect(execFileSync('openssl', ['verify', '-CAfile', caPem, '-purpose', 'smimesign', renewed.cert], { encoding: 'utf8' })).toContain(': OK');
    expect(await count()).toBe(before + 1);
    const issued = (await rt.store.audit.list({ action: 'credential.issue', target: 'user0@example.org', limit: 10 })).length;
    expect(issued).toBe(before + 1);

    // A renewal signed by a certificate that is not (or no longer) ours is refused.
    const selfSigned = join(dataDir, 'self-signed.pem');
    execFileSync('openssl', ['req', '-new', '-x509', '-key', first.key, '-subj', '/CN=User 0', '-days', '30', '-out', selfSigned]);
    const foreign = await scepclient(first.key, selfSigned, []);
    expect(foreign.ok).toBe(false);
    expect(foreign.output).toMatch(/RenewalReq \(17\) request failed, failInfo: badMessageCheck/);
  });

  it('issues distinct serials to 8 parallel enrollments', async () => {
    const emails = Array.from({ length: 8 }, (_, i) => `user${i + 1}@example.org`);
    const secrets = await Promise.all(emails.map(challenge));
    const results = await Promise.all(secrets.map(enroll));
    for (const r of results) expect(r.ok, r.output).toBe(true);
    expect(new Set(results.map((r) => x509(r.cert, '-serial'))).size).toBe(8);
    for (const [i, r] of results.entries()) expect(x509(r.cert, '-ext', 'subjectAltName')).toContain(`email:${emails[i]}`);
  });

  it('answers a replayed PKIOperation (PKCSReq or RenewalReq) with a signed FAILURE and writes nothing', async () => {
    // A recording proxy between scepclient and the server keeps the exact PKIOperation bytes.
    const recorded: Buffer[] = [];
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        if (req.url?.includes('operation=PKIOperation') && body.length > 0) recorded.push(body);
        const upstream = await fetch(`${server.url}${req.url}`, { method: req.method, ...(body.length > 0 ? { body: new Uint8Array(body) } : {}) });
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' });
        res.end(Buffer.from(await upstream.arrayBuffer()));
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const proxied = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}/scep`;
    try {
      const secret = await challenge('user9@example.org');
      const dir = join(dataDir, 'replay');
      mkdirSync(dir);
      execFileSync('openssl', ['genrsa', '-traditional', '-out', join(dir, 'k.pem'), '2048'], { stdio: 'ignore' });
      await run('scepclient', ['-server-url', proxied, '-private-key', join(dir, 'k.pem'), '-certificate', join(dir, 'c.pem'), '-challenge', secret, '-cn', 'x'], { timeout: 30_000 });
      expect(existsSync(join(dir, 'c.pem'))).toBe(true);
      expect(recorded).toHaveLength(1);
      const before = (JSON.parse((await cli(env, dataDir, 'cert', 'list', '--user', 'user9@example.org', '--json')).out) as unknown[]).length;

      /** Replays recorded[i]; the pkiStatus of the CertRep it gets. */
      const replayStatus = async (i: number) => {
        const replay = await fetch(`${scepUrl}?operation=PKIOperation`, { method: 'POST', body: new Uint8Array(recorded[i]!) });
        expect(replay.status).toBe(200);
        // CertRep's signed attribute pkiStatus (OID 2.16.840.1.113733.1.9.3) = PrintableString "2" (FAILURE).
        const body = Buffer.from(await replay.arrayBuffer());
        const at = body.indexOf(Buffer.from('060a6086480186f84501090331031301', 'hex'));
        expect(at).toBeGreaterThan(0);
        return String.fromCharCode(body[at + 16]!);
      };
      const count = async () => (JSON.parse((await cli(env, dataDir, 'cert', 'list', '--user', 'user9@example.org', '--json')).out) as unknown[]).length;
      expect(await replayStatus(0)).toBe('2');
      expect(await count()).toBe(before);

      // A RenewalReq repeats the PKCSReq's transactionID (both derive it from the key), yet it
      // is served once; replaying the very same RenewalReq is refused.
      await run('scepclient', ['-server-url', proxied, '-private-key', join(dir, 'k.pem'), '-certificate', join(dir, 'c.pem'), '-cn', 'x'], { timeout: 30_000 });
      expect(recorded).toHaveLength(2);
      expect(await count()).toBe(before + 1);
      expect(await replayStatus(1)).toBe('2');
      expect(await count()).toBe(before + 1);
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('answers malformed and oversized messages with clear 4xx', async () => {
    const junk = await fetch(`${scepUrl}?operation=PKIOperation`, { method: 'POST', body: new Uint8Array([48, 130, 1, 0, 1, 2, 3]) });
    expect(junk.status).toBe(400);
    expect(await junk.text()).toMatch(/bad SCEP message/);
    const huge = await fetch(`${scepUrl}?operation=PKIOperation`, { method: 'POST', body: new Uint8Array(100 * 1024) });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { code: string }).code).toBe('payload_too_large');
    // Without a Content-Length (chunked), the limit applies while reading.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${scepUrl}?operation=PKIOperation`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i += 1) req.write(Buffer.alloc(10 * 1024, i));
      req.end();
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toMatchObject({ code: 'payload_too_large' });
    const unknown = await fetch(`${scepUrl}?operation=Nope`);
    expect(unknown.status).toBe(400);
    const crl = await fetch(`${server.url}/crl`);
    expect(crl.headers.get('content-type')).toBe('application/pkix-crl');
  });
});
