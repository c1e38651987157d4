/**
 * Every secret the portal handles goes through the real server with LOG_LEVEL=trace; then the
 * log is searched for each. Admin tokens (right and wrong), enrollment codes (used and replayed),
 * device session tokens, PKCS#12 passwords (right and wrong), SCEP challenges (right and wrong),
 * the private key of an imported file, and the KEK.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDeviceKeys, signChallenge } from '../device/device-keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'smime-logs-'));
const run = promisify(execFile);
let child: ChildProcess;
let out = '';
let url = '';
let token = '';

beforeAll(async () => {
  child = spawn(process.execPath, [resolve('bin/smime-portal.js'), 'serve'], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: join(dir, 'data'), PORT: '0', LOG_LEVEL: 'trace', SCEP_ALLOW_LEGACY_DES: '1', WORKER: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => {
    out += c;
  });
  child.stderr!.on('data', (c) => {
    out += c;
  });
  const deadline = Date.now() + 30_000;
  while (!/serving (http:\/\/\S+)/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  url = /serving (http:\/\/\S+)/.exec(out)![1]!;
  token = /admin token \(shown once; keep it safe\): (smp_\S+)/.exec(out)![1]!;
}, 40_000);

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  rmSync(dir, { recursive: true, force: true });
});

const api = (path: string, init: { method?: string; body?: unknown; token?: string } = {}) =>
  fetch(`${url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${init.token ?? token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

describe('no secret reaches the log', () => {
  it('drives every secret through the API and finds none of them in the log', async () => {
    const secrets: Record<string, string> = {};
    secrets.wrongToken = `smp_${'W'.repeat(43)}`;
    expect((await api('/api/admin/users', { token: secrets.wrongToken })).status).toBe(401);
    expect((await api('/api/admin/users', { body: { email: 'ann@example.com', displayName: 'Ann' } })).status).toBe(201);

    // Enrollment code → device session.
    const enrollment = (await (await api('/api/admin/users/ann@example.com/enrollment-code', { body: {} })).json()) as { code: string };
    secrets.enrollmentCode = enrollment.code;
    await fetch(`${url}/enroll?code=${encodeURIComponent(enrollment.code)}`);
    const keys = await makeDeviceKeys();
    const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const enrolled = await post('/api/device/enroll', { code: enrollment.code, identityKey: keys.identityKey, transportKey: keys.transportKey, name: 'Phone' });
    expect(enrolled.status).toBe(201);
    expect((await post('/api/device/enroll', { code: enrollment.code, identityKey: keys.identityKey, transportKey: keys.transportKey, name: 'Phone' })).status).toBe(410);
    const { deviceId } = (await enrolled.json()) as { deviceId: string };
    const { nonce } = (await (await post('/api/device/nonce', { deviceId })).json()) as { nonce: string };
    secrets.nonce = nonce;
    const session = (await (await post('/api/device/session', { deviceId, nonce, signature: await signChallenge(keys, deviceId, nonce) })).json()) as { token: string };
    secrets.deviceToken = session.token;
    expect((await fetch(`${url}/api/device/me`, { headers: { authorization: `Bearer ${session.token}` } })).status).toBe(200);

    // PKCS#12 with a password, imported right and wrong.
    const p12dir = join(dir, 'p12');
    mkdirSync(p12dir);
    secrets.p12Password = 'Pa55-Wörd-密碼-9f3k';
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(p12dir, 'k.pem'), '-out', join(p12dir, 'c.pem'), '-days', '30', '-subj', '/CN=Ann/emailAddress=ann@example.com', '-addext', 'subjectAltName=email:ann@example.com', '-addext', 'keyUsage=keyEncipherment', '-addext', 'extendedKeyUsage=emailProtection'], { stdio: 'ignore' });
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', join(p12dir, 'k.pem'), '-in', join(p12dir, 'c.pem'), '-out', join(p12dir, 'a.p12'), '-passout', `pass:${secrets.p12Password}`], { stdio: 'ignore' });
    const pkcs12 = readFileSync(join(p12dir, 'a.p12')).toString('base64');
    const wrong = await api('/api/admin/users/ann@example.com/credentials/pkcs12', { body: { purpose: 'smimeEncryption', pkcs12, password: 'not-the-password-Zx81' } });
    expect(wrong.status).toBe(400);
    secrets.wrongP12Password = 'not-the-password-Zx81';
    const right = await api('/api/admin/users/ann@example.com/credentials/pkcs12', { body: { purpose: 'smimeEncryption', pkcs12, password: secrets.p12Password } });
    expect(right.status).toBe(201);
    const keyDer = execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', join(p12dir, 'k.pem'), '-outform', 'DER']);
    secrets.privateKeyBase64 = keyDer.toString('base64').slice(40, 120);
    secrets.privateKeyHex = keyDer.toString('hex').slice(80, 200);

    // SCEP challenge, right and wrong, through Debian's scepclient.
    const ch = (await (await api('/api/admin/users/ann@example.com/scep-challenge', { body: {} })).json()) as { challenge: string };
    secrets.scepChallenge = ch.challenge;
    secrets.wrongChallenge = 'wrong-challenge-Q7vT2';
    for (const [i, secret] of [ch.challenge, secrets.wrongChallenge].entries()) {
      const d = join(dir, `scep${i}`);
      mkdirSync(d);
      execFileSync('openssl', ['genrsa', '-traditional', '-out', join(d, 'k.pem'), '2048'], { stdio: 'ignore' });
      await run('scepclient', ['-server-url', `${url}/scep`, '-private-key', join(d, 'k.pem'), '-certificate', join(d, 'c.pem'), '-challenge', secret, '-cn', 'ann'], { timeout: 30_000 }).catch(() => undefined);
    }

    secrets.kek = readFileSync(join(dir, 'data', 'kek'), 'utf8').trim();
    secrets.adminToken = token;

    child.kill('SIGTERM');
    await once(child, 'exit');
    // The bootstrap token is printed once on purpose (a plain line, not a log record): leave it out.
    const logLines = out.split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(10);
    expect(logLines.some((l) => l.includes('"path":"/scep'))).toBe(true);
    // The enrollment page was requested with its code: the access log keeps the path, not the code.
    expect(logLines.some((l) => l.includes('"path":"/enroll?code=[redacted]"'))).toBe(true);
    const log = logLines.join('\n');
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length, name).toBeGreaterThanOrEqual(8);
      expect(log.includes(secret), `${name} appears in the log`).toBe(false);
      expect(log.includes(encodeURIComponent(secret)), `${name} (URL-encoded) appears in the log`).toBe(false);
    }
    expect(out.split(token).length - 1).toBe(1);
  }, 120_000);
});
