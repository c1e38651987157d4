/**
 * PKCS#12 bulk import benchmark: BENCH_PFX_N files (2000) imported by the real bulk importer
 * (validate, seal in the vault, write to SQLite in batches) vs a bare loop that only parses the
 * same bytes with the same library (shared/pki extractIdentity). Goal: ratio ≥ 0.8.
 *
 * Fixtures, made fast: one RSA-2048 key for every file (key generation is not what is measured)
 * and one certificate per user from a test CA; every file is written with OpenSSL 3's default
 * profile (PBES2 AES-256-CBC, PBKDF2-SHA256, 2048 iterations, SHA-256 MAC) by shared/pki's
 * writer — 2000 `openssl pkcs12` runs would take longer than the benchmark. Both loops read the
 * files from memory.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { BULK_CONCURRENCY, importPkcs12Bulk } from '../server/src/domain/credentials/bulk-import.ts';
import { createTrustAnchors } from '../server/src/domain/credentials/trust-anchors.ts';
import { createCa, loadCa } from '../server/src/pki/ca.ts';
import { generateKeyPair } from '../server/src/pki/generate-key-pair.ts';
import { issueCertificate } from '../server/src/pki/issue-certificate.ts';
import { systemClock } from '../server/src/ports.ts';
import { createStore } from '../server/src/store/create-store.ts';
import { kekFromBytes } from '../server/src/vault/kek.ts';
import { staticKeyring } from '../server/src/vault/keyring.ts';
import { createVault } from '../server/src/vault/vault.ts';
import { extractIdentity } from '../shared/pki/pkcs12-read.ts';
import { writePkcs12 } from '../shared/pki/pkcs12-write.ts';
import { openTestSqlite } from '../tests/support/databases.ts';

const N = Number(process.env.BENCH_PFX_N ?? 2000);
const PASSWORD = 'bench-pässwörd';
const CONCURRENCY = Number(process.env.BENCH_PFX_CONCURRENCY ?? BULK_CONCURRENCY);

async function fixtures(n: number): Promise<{ email: string; bytes: Uint8Array }[]> {
  const now = new Date();
  const ca = await loadCa(await createCa({ commonName: 'Bench CA', keyAlgorithm: 'RSA-2048', validityYears: 5, now: new Date(now.getTime() - 86400_000) }));
  const key = await generateKeyPair('RSA-2048');
  const out: { email: string; bytes: Uint8Array }[] = [];
  for (let i = 0; i < n; i++) {
    const email = `user${i}@bench.example`;
    const certificate = await issueCertificate(ca, { spkiDer: key.spkiDer, email, purpose: 'smimeEncryption', notBefore: now, notAfter: new Date(now.getTime() + 365 * 86400_000), crlUrl: 'http://127.0.0.1/crl' });
    out.push({ email, bytes: await writePkcs12({ entries: [{ privateKeyPkcs8: key.privateKeyPkcs8, certificate, chain: [ca.certificateDer] }], password: PASSWORD, encoding: 'aes' }) });
  }
  return out;
}

/** The bare loop: parse only, `concurrency` files in flight (1 = one after the other). */
async function bareParseMs(files: { bytes: Uint8Array }[], concurrency: number): Promise<number> {
  const t = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < files.length) (await extractIdentity(files[next++]!.bytes, PASSWORD)).privateKeyPkcs8.fill(0);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return performance.now() - t;
}

/** Runs the benchmark and prints files/s for both loops and their ratio. */
export async function benchPkcs12Import(print: (line: string) => void): Promise<void> {
  const t0 = performance.now();
  const files = await fixtures(N);
  print(`fixtures: ${N} PKCS#12 files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const db = await openTestSqlite();
  try {
    const store = createStore(db.db, db.kind);
    const ctx = { store, clock: systemClock, actor: 'bench' };
    for (const f of files) await store.directory.upsertUser({ email: f.email }, new Date());
    const vault = createVault(staticKeyring(kekFromBytes(new Uint8Array(randomBytes(32)), 'bench')));
    const anchors = createTrustAnchors([]);

    // Interleaved rounds (parse a chunk, import the same chunk) so that load from anything else
    // on the machine hits both loops alike.
    const ROUNDS = 8;
    const chunk = Math.ceil(N / ROUNDS);
    let parseMs = 0;
    let parseSeqMs = 0;
    let importMs = 0;
    const results: Awaited<ReturnType<typeof importPkcs12Bulk>> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const part = files.slice(r * chunk, (r + 1) * chunk);
      parseSeqMs += await bareParseMs(part, 1);
      parseMs += await bareParseMs(part, CONCURRENCY);
      const t = performance.now();
      results.push(...(await importPkcs12Bulk(ctx, { vault, anchors }, part.map((f, i) => ({ email: f.email, purpose: 'smimeEncryption' as const, bytes: f.bytes, password: PASSWORD, fileName: `f${r * chunk + i}.p12` })), undefined, CONCURRENCY)));
      importMs += performance.now() - t;
    }
    const parseRate = (N / parseMs) * 1000;
    const parseSeqRate = (N / parseSeqMs) * 1000;
    const importRate = (N / importMs) * 1000;
    const failed = results.filter((r) => !r.ok);
    const imported = results.filter((r) => r.ok && r.result.status === 'imported').length;
    print(`bare parse, sequential:              ${parseSeqRate.toFixed(0)} files/s`);
    print(`bare parse, ${CONCURRENCY} in flight (baseline):   ${parseRate.toFixed(0)} files/s`);
    print(`bulk import (validate+seal+SQLite):  ${importRate.toFixed(0)} files/s, ${imported} imported, ${failed.length} failed`);
    print(`ratio import / bare parse with the same concurrency: ${(importRate / parseRate).toFixed(2)} (goal ≥ 0.80); vs sequential parse: ${(importRate / parseSeqRate).toFixed(2)}`);
    if (failed.length > 0) throw new Error(`pkcs12 bench: ${failed.length} failures, e.g. ${JSON.stringify(failed[0])}`);
  } finally {
    await db.close();
    rmSync(db.dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPkcs12Import((l) => console.log(l));
