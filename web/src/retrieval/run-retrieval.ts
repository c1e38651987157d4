import { fromBase64, toBase64 } from '../../../shared/pki/bytes.ts';
import { buildCsr } from '../../../shared/pki/csr.ts';
import { type DeliveryBundle, parseDeliveryBundle } from '../../../shared/schemas/bundle.ts';
import { jsonInit } from '../device/api-error.ts';
import { deviceFetch } from '../device/device-client.ts';
import { type KeychainEntry, listCertificates, loadKeychainMeta, putCertificate, updateKeychainMeta } from '../keychain/certificate-store.ts';
import type { DeviceRecord } from '../keychain/device-store.ts';
import { describeCertificate, entryFromCredential } from './build-entry.ts';
import { RetrievalError, toRetrievalError } from './retrieval-error.ts';
import { makeSigningKeys, usableDeviceSigning } from './signing-renewal.ts';

import type { RetrievalStep } from './retrieval-steps.ts';

export type { RetrievalStep };

export type SigningOutcome = 'issued' | 'renewed' | 'kept' | 'installed' | 'derived' | 'derived_missing';

export interface RetrievalProgress {
  step: RetrievalStep;
  status: 'active' | 'done';
  /** During and after the history step: certificates in the keychain of the history's total. */
  history?: { done: number; total: number };
}

export interface RetrievalOutcome {
  /** Certificates stored by this run (already-stored ones are skipped by thumbprint). */
  stored: number;
  skipped: number;
  signing: SigningOutcome;
  complete: boolean;
  bundle: DeliveryBundle;
}

/** Step timings in ms (the benchmark reads them). */
export type StepTimings = Partial<Record<RetrievalStep, number>>;

async function step<T>(name: RetrievalStep, onProgress: (p: RetrievalProgress) => void, timings: StepTimings, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  onProgress({ step: name, status: 'active' });
  try {
    return await fn();
  } catch (error) {
    throw toRetrievalError(name, error);
  } finally {
    timings[name] = performance.now() - start;
    // User Timing entries: devtools and the benchmark (bench/retrieval.ts) read them.
    performance.measure(`retrieval:${name}`, { start, end: performance.now() });
  }
}

async function signingStep(record: DeviceRecord, bundle: DeliveryBundle, existing: KeychainEntry[]): Promise<{ outcome: SigningOutcome; entry: KeychainEntry | null }> {
  const instruction = bundle.signing;
  if (instruction.action === 'derived') {
    return { outcome: existing.some((e) => e.purpose !== 'encryption') ? 'derived' : 'derived_missing', entry: null };
  }
  if (instruction.action === 'install') {
    if (existing.some((e) => e.thumbprint === instruction.credential.thumbprint)) return { outcome: 'kept', entry: null };
    return { outcome: 'installed', entry: await entryFromCredential(instruction.credential, record.deviceId, record.transport.privateKey) };
  }
  if (usableDeviceSigning(existing, record.deviceId, bundle.policy)) return { outcome: 'kept', entry: null };
  const renewing = existing.some((e) => e.source === 'scep' && e.deviceId === record.deviceId);
  const keys = await makeSigningKeys(bundle.policy.signing.keyAlgorithm);
  const csr = await buildCsr({ keys, subjectCommonName: record.email, email: record.email });
  const res = await deviceFetch(record, '/api/device/signing-csr', jsonInit('POST', { csr: toBase64(csr) }));
  const issued = (await res.json()) as { certificate: string; chain: string[] };
  const described = await describeCertificate(fromBase64(issued.certificate));
  const entry: KeychainEntry = {
    ...described,
    purpose: 'signing',
    source: 'scep',
    chain: issued.chain.map(fromBase64),
    privateKey: keys.privateKey,
    envelope: null,
    deviceId: record.deviceId,
    storedAt: new Date().toISOString(),
  };
  return { outcome: renewing ? 'renewed' : 'issued', entry };
}

/**
 * Fills the keychain from the delivery bundle, step by step: device check → policy → signing
 * certificate → encryption history (k of N) → saved → confirmed. Each certificate is stored as
 * soon as it is ready, so a run that stops (reload, lost connection) resumes where it was:
 * certificates already in the keychain are skipped by thumbprint. Throws RetrievalError.
 */
export async function runRetrieval(record: DeviceRecord, onProgress: (p: RetrievalProgress) => void, timings: StepTimings = {}): Promise<RetrievalOutcome> {
  const started = performance.now();
  const outcome = await retrieve(record, onProgress, timings);
  performance.measure('retrieval:total', { start: started, end: performance.now() });
  return outcome;
}

async function retrieve(record: DeviceRecord, onProgress: (p: RetrievalProgress) => void, timings: StepTimings): Promise<RetrievalOutcome> {
  await step('device', onProgress, timings, async () => {
    await deviceFetch(record, '/api/device/me');
  });
  onProgress({ step: 'device', status: 'done' });

  const bundle = await step('policy', onProgress, timings, async () => {
    const parsed = parseDeliveryBundle(await (await deviceFetch(record, '/api/device/bundle')).json());
    if (!parsed.ok) {
      throw new RetrievalError('policy', parsed.reason === 'unsupported_version' ? 'update_app' : 'server', `the delivery bundle is ${parsed.reason === 'unsupported_version' ? 'of a newer version' : 'malformed'}`);
    }
    if (parsed.bundle.device.id !== record.deviceId) throw new RetrievalError('policy', 'not_for_device', 'the bundle was made for another device');
    return parsed.bundle;
  });
  onProgress({ step: 'policy', status: 'done' });

  let existing = await listCertificates();
  const signing = await step('signing', onProgress, timings, async () => {
    const result = await signingStep(record, bundle, existing);
    if (result.entry) {
      await putCertificate(result.entry);
      const meta = await loadKeychainMeta();
      // A renewed certificate replaces a default that pointed at the one it renews.
      const chosen = existing.find((e) => e.thumbprint === meta.defaultSigning);
      if (chosen && chosen.source === 'scep' && result.entry.source === 'scep') await updateKeychainMeta({ defaultSigning: result.entry.thumbprint });
    }
    return result.outcome;
  });
  onProgress({ step: 'signing', status: 'done' });

  const history = bundle.encryption.history;
  const held = new Set(existing.map((e) => e.thumbprint));
  let done = history.filter((c) => held.has(c.thumbprint)).length;
  const skipped = done;
  let stored = 0;
  await step('history', onProgress, timings, async () => {
    onProgress({ step: 'history', status: 'active', history: { done, total: history.length } });
    for (const credential of history) {
      if (held.has(credential.thumbprint)) continue;
      await putCertificate(await entryFromCredential(credential, record.deviceId, record.transport.privateKey));
      held.add(credential.thumbprint);
      stored += 1;
      done += 1;
      onProgress({ step: 'history', status: 'active', history: { done, total: history.length } });
    }
  });
  onProgress({ step: 'history', status: 'done', history: { done, total: history.length } });

  await step('saved', onProgress, timings, async () => {
    await updateKeychainMeta({ policy: bundle.policy, trustAnchors: bundle.trustAnchors.map(fromBase64), currentEncryption: bundle.encryption.current });
    existing = await listCertificates();
    const now = new Set(existing.map((e) => e.thumbprint));
    const lost = history.filter((c) => !now.has(c.thumbprint));
    if (lost.length) throw new RetrievalError('saved', 'storage', `${lost.length} certificates did not stay in the keychain`);
  });
  onProgress({ step: 'saved', status: 'done' });

  const complete = await step('confirmed', onProgress, timings, async () => {
    // Only what the bundle delivered counts (user-imported certificates are the device's business).
    const delivered = new Set([...history.map((c) => c.thumbprint), ...(bundle.signing.action === 'install' ? [bundle.signing.credential.thumbprint] : [])]);
    const thumbprints = existing.map((e) => e.thumbprint).filter((t) => delivered.has(t));
    const res = await deviceFetch(record, '/api/device/ack', jsonInit('POST', { thumbprints }));
    const ack = (await res.json()) as { complete: boolean };
    await updateKeychainMeta({ confirmedAt: new Date().toISOString() });
    return ack.complete;
  });
  onProgress({ step: 'confirmed', status: 'done' });
  return { stored: stored + (signing === 'issued' || signing === 'renewed' || signing === 'installed' ? 1 : 0), skipped, signing, complete, bundle };
}
