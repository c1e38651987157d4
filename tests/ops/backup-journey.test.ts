/**
 * The escrow survives: import a history, back up while a campaign sends, wipe, restore (with the
 * right KEK; the wrong one is refused clearly), then a device retrieves and the OLDEST
 * certificate's key opens a message made by `openssl cms -encrypt`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.ts';
import { type Running, startServer } from '../../server/src/serve.ts';
import { parseDeliveryBundle } from '../../shared/schemas/bundle.ts';
import { decryptSmime } from '../../shared/smime/cms-decrypt.ts';
import { candidateFromEnvelope } from '../../shared/smime/envelope-candidate.ts';
import { startSmtpSink, until } from '../campaigns/harness.ts';
import { cli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'smime-backup-journey-'));
const USERS = 300;

async function start(dataDir: string, smtpUrl: string): Promise<{ server: Running; token: string | null }> {
  let token: string | null = null;
  const server = await startServer(loadConfig({ DATA_DIR: dataDir, PORT: '0', SMTP_URL: smtpUrl, EMAIL_RATE: '0', LOG_LEVEL: 'silent' }), (line) => {
    token = /admin token \(shown once; keep it safe\): (smp_\S+)/.exec(line)?.[1] ?? token;
  });
  return { server, token };
}

function api(server: Running, token: string) {
  return async (path: string, body?: unknown, type = 'application/json') => {
    const r = await fetch(`${server.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': type }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${text}`);
    return JSON.parse(text || 'null') as Record<string, unknown>;
  };
}

/** Three encryption certificates for ann, oldest first, as PKCS#12 made by OpenSSL. */
function history(): { p12: string; pem: string }[] {
  return [0, 1, 2].map((i) => {
    const base = join(dir, `h${i}`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.pem`, '-days', String(400 + i * 365), '-subj', `/CN=Ann ${i}`, '-addext', 'subjectAltName=email:ann@example.com', '-addext', 'keyUsage=keyEncipherment', '-addext', 'extendedKeyUsage=emailProtection', '-set_serial', String(1000 + i)], { stdio: 'ignore' });
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', `${base}.key`, '-in', `${base}.pem`, '-out', `${base}.p12`, '-passout', 'pass:history'], { stdio: 'ignore' });
    return { p12: readFileSync(`${base}.p12`).toString('base64'), pem: `${base}.pem` };
  });
}

describe('backup and restore of the key escrow', () => {
  const smtp = startSmtpSink();
  afterAll(async () => {
    await (await smtp).close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up under load, restores with the KEK, and the oldest key still opens mail', async () => {
    const sink = await smtp;
    const live = join(dir, 'live');
    const first = await start(live, sink.url);
    const call = api(first.server, first.token!);
    const rows = ['email,display name,groups', 'ann@example.com,Ann,staff', ...Array.from({ length: USERS }, (_, i) => `u${i}@example.com,U ${i},staff`)];
    await call('/api/admin/users/import', rows.join('\n'), 'text/csv');
    await call('/api/admin/policies', { name: 'P', settings: { notification: 'email', signing: { profileType: 'scep' } } });
    const certs = history();
    for (const c of certs) await call('/api/admin/users/ann@example.com/credentials/pkcs12', { purpose: 'smimeEncryption', pkcs12: c.p12, password: 'history' });
    await fetch(`${first.server.url}/api/admin/policies/P/assignments`, { method: 'PUT', headers: { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ include: ['staff'] }) });
    await call('/api/admin/campaigns', { policy: 'P' });
    await until(() => sink.inbox.length > 0, 20_000, 'the campaign sending');

    const backupFile = join(dir, 'escrow.backup');
    const b = await cli({ DATA_DIR: live }, dir, 'backup', '--out', backupFile);
    expect(b.code, b.err).toBe(0);
    const sentAtBackup = sink.inbox.length;
    await first.server.stop();
    // The backup never holds the KEK: its bytes are nowhere in the file.
    const kek = readFileSync(join(live, 'kek'), 'utf8').trim();
    expect(readFileSync(backupFile).includes(Buffer.from(kek, 'base64'))).toBe(false);
    expect(readFileSync(backupFile).includes(Buffer.from(kek))).toBe(false);

    // Restored with a different KEK: a clear refusal, not garbage.
    const wrong = join(dir, 'wrong');
    expect((await cli({ DATA_DIR: wrong }, dir, 'restore', backupFile)).code).toBe(0);
    writeFileSync(join(wrong, 'kek'), `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
    await expect(start(wrong, sink.url)).rejects.toMatchObject({ code: 'kek_mismatch' });

    // Wiped and restored with the right KEK.
    const restoredDir = join(dir, 'restored');
    mkdirSync(restoredDir);
    copyFileSync(join(live, 'kek'), join(restoredDir, 'kek'));
    rmSync(live, { recursive: true, force: true });
    expect((await cli({ DATA_DIR: restoredDir }, dir, 'restore', backupFile)).code).toBe(0);
    const second = await start(restoredDir, sink.url);
    try {
      const token = first.token!;
      const again = api(second.server, token);
      const { code } = (await again('/api/admin/users/ann@example.com/enrollment-code', {})) as { code: string };
      const identity = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
      const transport = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveKey', 'deriveBits'])) as CryptoKeyPair;
      const spki = async (k: CryptoKey) => Buffer.from(await crypto.subtle.exportKey('spki', k)).toString('base64');
      const post = async (path: string, body: unknown) => (await fetch(`${second.server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<Record<string, string>>;
      const { deviceId } = await post('/api/device/enroll', { code, identityKey: await spki(identity.publicKey), transportKey: await spki(transport.publicKey), name: 'Restored phone' });
      const { nonce } = await post('/api/device/nonce', { deviceId });
      const signature = Buffer.from(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, identity.privateKey, new TextEncoder().encode(`smime-portal-device-session:v1:${deviceId}:${nonce}`))).toString('base64url');
      const session = await post('/api/device/session', { deviceId, nonce, signature });
      const res = await fetch(`${second.server.url}/api/device/bundle`, { headers: { authorization: `Bearer ${session.token}` } });
      expect(res.status).toBe(200);
      const parsed = parseDeliveryBundle(await res.json());
      if (!parsed.ok) throw new Error('bundle does not parse');
      expect(parsed.bundle.encryption.history).toHaveLength(3);

      const oldestDer = execFileSync('openssl', ['x509', '-in', certs[0]!.pem, '-outform', 'DER']);
      const oldestThumb = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: oldestDer, encoding: 'utf8' }).split(' ')[0]!;
      const entry = parsed.bundle.encryption.history.find((h) => h.thumbprint === oldestThumb);
      expect(entry, 'the oldest certificate is in the restored history').toBeDefined();

      writeFileSync(join(dir, 'msg.txt'), 'Content-Type: text/plain\r\n\r\nfrom before the backup\r\n');
      const eml = execFileSync('openssl', ['cms', '-encrypt', '-in', join(dir, 'msg.txt'), '-aes256', certs[0]!.pem]);
      const opened = await decryptSmime(new Uint8Array(eml), [
        candidateFromEnvelope({ certificate: Buffer.from(entry!.certificate, 'base64'), envelope: entry!.envelope, devicePrivateKey: transport.privateKey, deviceId: deviceId!, thumbprint: entry!.thumbprint }),
      ]);
      expect(new TextDecoder().decode(opened.plaintext)).toContain('from before the backup');

      // The campaign rows came back too: every recipient is there, nobody lost.
      const campaigns = (await again('/api/admin/campaigns')) as { items: { id: string }[] };
      const status = (await again(`/api/admin/campaigns/${campaigns.items.at(-1)!.id}`)) as { progress: { total: number; states: Record<string, number> } };
      expect(status.progress.total).toBe(USERS + 1);
      expect(Object.values(status.progress.states).reduce((a, b) => a + b, 0)).toBe(USERS + 1);
      expect(sentAtBackup).toBeGreaterThan(0);
    } finally {
      await second.server.stop();
    }
  }, 180_000);
});
