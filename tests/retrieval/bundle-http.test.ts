/**
 * The retrieval device API through app.request(): the bundle (history newest first, current
 * marked, keys sealed to this device), device-side signing issuance from a CSR, the
 * acknowledgement and the recipient directory; and the security properties of issue 6.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsr } from '../../shared/pki/csr.ts';
import { parseCertificate } from '../../shared/pki/certificate-info.ts';
import { keyMatchesCertificate } from '../../shared/pki/key-match.ts';
import { type DeliveryBundle, parseDeliveryBundle } from '../../shared/schemas/bundle.ts';
import { openEnvelopeToPkcs8 } from '../../shared/smime/key-envelope.ts';
import { isSmimeError } from '../../shared/smime/smime-error.ts';
import { loadConfig } from '../../server/src/config.ts';
import { issueWithServerKey } from '../../server/src/domain/ca/issue-credential.ts';
import { openSealedKey } from '../../server/src/domain/credentials/credential-service.ts';
import type { Credential } from '../../server/src/domain/credentials/types.ts';
import { retireDevice } from '../../server/src/domain/devices/device-service.ts';
import { updatePolicySettings } from '../../server/src/domain/policy/policy-service.ts';
import { issuerDepsOf } from '../../server/src/http/issuer-deps.ts';
import { type PwaDevice, type RetrievalEnv, retrievalEnv } from './setup.ts';

let env: RetrievalEnv;
let ann: { userId: string; history: Credential[] };
let bob: { userId: string; history: Credential[] };
let annDevice: PwaDevice;
let bobDevice: PwaDevice;
/** Every body the device API answered in this file, for the PKCS#8 scan. */
const bodies: string[] = [];

const fetchBundle = async (device: PwaDevice): Promise<DeliveryBundle> => {
  const res = await env.get('/api/device/bundle', device.token);
  const text = await res.text();
  bodies.push(text);
  expect(res.status, text).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const parsed = parseDeliveryBundle(JSON.parse(text));
  if (!parsed.ok) throw new Error(`bundle does not parse: ${JSON.stringify(parsed)}`);
  return parsed.bundle;
};

beforeAll(async () => {
  env = await retrievalEnv();
  ann = await env.addUser('ann@example.com', 3);
  bob = await env.addUser('bob@example.com', 2);
  await env.store.directory.upsertUser({ email: 'carl@example.com', displayName: 'Carl' }, env.clock.now());
  annDevice = await env.enroll('ann@example.com');
  bobDevice = await env.enroll('bob@example.com');
}, 60_000);
afterAll(() => env?.close());

describe('delivery bundle', () => {
  it('delivers the whole history newest first, current marked, each key sealed to this device', async () => {
    const bundle = await fetchBundle(annDevice);
    expect(bundle.device.id).toBe(annDevice.deviceId);
    expect(bundle.signing).toEqual({ action: 'csr' });
    expect(bundle.policy.signing.profileType).toBe('scep');
    const newestFirst = [...ann.history].reverse().map((c) => c.sha256);
    expect(bundle.encryption.history.map((c) => c.thumbprint)).toEqual(newestFirst);
    expect(bundle.encryption.current).toBe(newestFirst[0]);
    expect(bundle.trustAnchors).toContain(Buffer.from(env.ca.record.certificateDer).toString('base64'));
    for (const entry of bundle.encryption.history) {
      expect(entry).toMatchObject({ purpose: 'smimeEncryption', source: 'issued' });
      const pkcs8 = await openEnvelopeToPkcs8({ envelope: entry.envelope, devicePrivateKey: annDevice.transport.privateKey, deviceId: annDevice.deviceId, thumbprint: entry.thumbprint });
      expect(await keyMatchesCertificate(pkcs8, Buffer.from(entry.certificate, 'base64'))).toBe(true);
      pkcs8.fill(0);
    }
  });

  it('refuses without a session, and policy_disabled when no policy applies', async () => {
    expect((await env.app.request('/api/device/bundle')).status).toBe(401);
    await env.store.directory.upsertUser({ email: 'lone@example.com', displayName: null }, env.clock.now());
    const device = await env.enroll('lone@example.com');
    const res = await env.get('/api/device/bundle', device.token);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'policy_disabled' });
  });
});

describe('security', () => {
  it('a device only ever receives its own user’s keys', async () => {
    const annBundle = await fetchBundle(annDevice);
    const bobBundle = await fetchBundle(bobDevice);
    const bobThumbs = new Set(bob.history.map((c) => c.sha256));
    expect(annBundle.encryption.history.some((c) => bobThumbs.has(c.thumbprint))).toBe(false);
    expect(bobBundle.encryption.history.map((c) => c.thumbprint).sort()).toEqual([...bobThumbs].sort());
    // No parameter can name another user: the session alone decides whose bundle it is.
    const probe = await env.get(`/api/device/bundle?userId=${bob.userId}&deviceId=${bobDevice.deviceId}`, annDevice.token);
    const text = await probe.text();
    bodies.push(text);
    expect(JSON.parse(text).device.id).toBe(annDevice.deviceId);
  });

  it('an envelope sealed for device A does not open with device B’s key', async () => {
    const entry = (await fetchBundle(annDevice)).encryption.history[0]!;
    const attempt = openEnvelopeToPkcs8({ envelope: entry.envelope, devicePrivateKey: bobDevice.transport.privateKey, deviceId: annDevice.deviceId, thumbprint: entry.thumbprint });
    await expect(attempt).rejects.toSatisfy((e) => isSmimeError(e, 'envelope_not_for_this_device'));
    const relabelled = openEnvelopeToPkcs8({ envelope: entry.envelope, devicePrivateKey: annDevice.transport.privateKey, deviceId: bobDevice.deviceId, thumbprint: entry.thumbprint });
    await expect(relabelled).rejects.toSatisfy((e) => isSmimeError(e, 'envelope_not_for_this_device'));
  });

  it('a replayed session nonce is refused', async () => {
    const first = await env.session(annDevice);
    const replay = await env.post('/api/device/session', { deviceId: annDevice.deviceId, nonce: first.nonce, signature: first.signature });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: 'unauthorized' });
  });

  it('a retired device is refused: its sessions end and it cannot open new ones', async () => {
    const device = await env.enroll('ann@example.com');
    expect((await env.get('/api/device/bundle', device.token)).status).toBe(200);
    await retireDevice(env.ctx, device.deviceId);
    for (const res of [await env.get('/api/device/bundle', device.token), await env.post('/api/device/ack', { thumbprints: [] }, device.token)]) {
      expect([401, 403]).toContain(res.status);
    }
    const nonce = await env.post('/api/device/nonce', { deviceId: device.deviceId });
    expect(nonce.status).toBe(403);
    expect(await nonce.json()).toMatchObject({ code: 'device_retired' });
  });
});

describe('device signing, acknowledgement and directory', () => {
  it('signs a CSR made with a non-extractable key, bound to the user and the device', async () => {
    const keys = (await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const csr = await buildCsr({ keys, subjectCommonName: 'Ann', email: 'mallory@evil.example' });
    const res = await env.post('/api/device/signing-csr', { csr: Buffer.from(csr).toString('base64') }, annDevice.token);
    const text = await res.text();
    bodies.push(text);
    expect(res.status, text).toBe(201);
    const issued = JSON.parse(text) as { certificate: string; thumbprint: string; chain: string[] };
    const info = await parseCertificate(Buffer.from(issued.certificate, 'base64'));
    expect(info.emails).toEqual(['ann@example.com']);
    expect(info.sha256).toBe(issued.thumbprint);
    const stored = await env.store.credentials.findByThumbprint(ann.userId, issued.thumbprint);
    expect(stored).toMatchObject({ purpose: 'smimeSigning', source: 'scep', deviceId: annDevice.deviceId, sealedKeyId: null });
    const bad = await env.post('/api/device/signing-csr', { csr: Buffer.from(csr.slice(0, 200)).toString('base64') }, annDevice.token);
    expect(bad.status).toBe(400);

    // The policy may ask for P-256 instead of RSA-2048.
    const ec = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const ecCsr = await buildCsr({ keys: ec, subjectCommonName: 'Ann', email: 'ann@example.com' });
    const ecRes = await env.post('/api/device/signing-csr', { csr: Buffer.from(ecCsr).toString('base64') }, annDevice.token);
    expect(ecRes.status, await ecRes.clone().text()).toBe(201);
    expect((await parseCertificate(Buffer.from(((await ecRes.json()) as { certificate: string }).certificate, 'base64'))).keyAlgorithm).toBe('EC-P256');
  });

  it('acknowledges: partial is recorded, complete marks campaign recipients retrieved', async () => {
    const thumbs = ann.history.map((c) => c.sha256);
    const partial = await env.post('/api/device/ack', { thumbprints: thumbs.slice(1) }, annDevice.token);
    expect(await partial.json()).toEqual({ complete: false, missing: [thumbs[0]], marked: 0 });
    const full = await env.post('/api/device/ack', { thumbprints: [...thumbs, 'f'.repeat(64)] }, annDevice.token);
    expect(full.status).toBe(200);
    expect(await full.json()).toMatchObject({ complete: true, missing: [] });
    expect((await env.post('/api/device/ack', { thumbprints: ['nope'] }, annDevice.token)).status).toBe(400);
  });

  it('looks up recipients’ current encryption certificates', async () => {
    const res = await env.get('/api/device/directory?email=BOB@example.com&email=carl@example.com&email=nobody@example.com', annDevice.token);
    const text = await res.text();
    bodies.push(text);
    expect(res.status, text).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { items } = JSON.parse(text) as { items: { email: string; status: string; thumbprint?: string }[] };
    expect(items).toEqual([
      expect.objectContaining({ email: 'bob@example.com', status: 'found', thumbprint: bob.history.at(-1)!.sha256 }),
      { email: 'carl@example.com', status: 'no_certificate' },
      { email: 'nobody@example.com', status: 'unknown_user' },
    ]);
    expect((await env.get('/api/device/directory?email=not-an-address', annDevice.token)).status).toBe(400);
  });

  it('no response body holds a private key (PKCS#8 DER in base64, base64url or hex)', async () => {
    const all = bodies.join('\n');
    expect(bodies.length).toBeGreaterThan(5);
    for (const credential of [...ann.history, ...bob.history]) {
      const pkcs8 = Buffer.from(await openSealedKey(env.ctx, env.vault, credential.sealedKeyId!));
      // Bytes 400+ lie in the private exponent (the modulus before it is public, in the certificate).
      const window = pkcs8.subarray(400, 448);
      for (const encoding of ['base64', 'base64url', 'hex'] as const) {
        expect(all.includes(pkcs8.toString(encoding))).toBe(false);
        for (let shift = 0; shift < 3; shift += 1) expect(all.includes(window.subarray(shift, shift + 45).toString(encoding))).toBe(false);
      }
      expect(Buffer.from(all, 'latin1').includes(window)).toBe(false);
      pkcs8.fill(0);
    }
  });
});

describe('other signing profiles', () => {
  it('importedPkcs: installs the shared signing credential sealed to the device; derivedCredential: uses the device’s own', async () => {
    const other = await retrievalEnv({ signing: { profileType: 'importedPkcs' } });
    try {
      const { userId } = await other.addUser('sam@example.com', 1);
      const user = (await other.store.directory.getUser(userId))!;
      const signing = await issueWithServerKey(other.ctx, issuerDepsOf({ store: other.store, clock: other.clock, config: loadConfig({}), vault: other.vault, ca: other.ca }), user, 'smimeSigning');
      const device = await other.enroll('sam@example.com');
      const res = await other.get('/api/device/bundle', device.token);
      const parsed = parseDeliveryBundle(await res.json());
      if (!parsed.ok) throw new Error('bundle does not parse');
      const instruction = parsed.bundle.signing;
      if (instruction.action !== 'install') throw new Error(`expected install, got ${instruction.action}`);
      expect(instruction.credential).toMatchObject({ thumbprint: signing.sha256, purpose: 'smimeSigning' });
      const pkcs8 = await openEnvelopeToPkcs8({ envelope: instruction.credential.envelope, devicePrivateKey: device.transport.privateKey, deviceId: device.deviceId, thumbprint: signing.sha256 });
      expect(await keyMatchesCertificate(pkcs8, signing.certificateDer)).toBe(true);
      const csr = await other.post('/api/device/signing-csr', { csr: 'A'.repeat(200) }, device.token);
      expect(csr.status).toBe(409);

      await updatePolicySettings(other.ctx, 'Mail', { signing: { profileType: 'derivedCredential' }, encryption: { profileType: 'derivedCredential' } });
      const derived = parseDeliveryBundle(await (await other.get('/api/device/bundle', device.token)).json());
      expect(derived.ok && derived.bundle.signing).toEqual({ action: 'derived' });
      expect(derived.ok && derived.bundle.encryption).toEqual({ current: null, history: [] });
    } finally {
      await other.close();
    }
  });

  it('documents the device retrieval routes in the OpenAPI document', async () => {
    const doc = (await (await env.app.request('/api/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/device/bundle', '/api/device/signing-csr', '/api/device/ack', '/api/device/directory']));
  });
});
