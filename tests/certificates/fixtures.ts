/**
 * Test fixtures for certificate tests: a test CA (our pki builders, dates under control), user
 * keys made by openssl, and PKCS#12 files written by `openssl pkcs12 -export` (the real peer).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CaSigner, createCa, loadCa } from '../../server/src/pki/ca.ts';
import { issueCertificate } from '../../server/src/pki/issue-certificate.ts';
import type { CertPurpose } from '../../server/src/pki/profiles.ts';
import { createOpensslWorkspace, type OpensslWorkspace, toPem } from '../../server/src/pki/testing/openssl.ts';

export type Pkcs12Flavour = 'default' | 'legacy' | '3des';

export interface TestKey {
  pem: string;
  pkcs8Der: Uint8Array;
  spkiDer: Uint8Array;
}

export interface Fixtures {
  ws: OpensslWorkspace;
  ca: CaSigner;
  caDer: Uint8Array;
  caPem: string;
  /** A fresh RSA-2048 key from openssl (PKCS#8). */
  newKey(name: string): TestKey;
  /** A certificate for `email` issued by the test CA. */
  cert(key: TestKey, options: { email: string; purpose: CertPurpose; notBefore: Date; notAfter: Date }): Promise<Uint8Array>;
  /** `openssl pkcs12 -export` of key + cert (+ CA chain) in the given flavour. */
  p12(name: string, key: TestKey | null, certDer: Uint8Array | null, password: string, flavour?: Pkcs12Flavour, extraArgs?: string[]): Uint8Array;
  cleanup(): void;
}

const FLAVOUR_ARGS: Record<Pkcs12Flavour, string[]> = {
  default: [],
  legacy: ['-legacy'],
  '3des': ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'],
};

/** Builds the fixtures (one CA per test file). */
export async function createFixtures(now: Date): Promise<Fixtures> {
  const ws = createOpensslWorkspace();
  const material = await createCa({ commonName: 'Test Issuing CA', keyAlgorithm: 'RSA-2048', validityYears: 10, now: new Date(now.getTime() - 5 * 365 * 86400_000) });
  const ca = await loadCa(material);
  const caPem = ws.write('ca.pem', toPem(material.certificateDer, 'CERTIFICATE'));
  let n = 0;
  return {
    ws,
    ca,
    caDer: material.certificateDer,
    caPem,
    newKey(name) {
      const pem = ws.write(`${name}.key`, '');
      execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', pem], { stdio: 'ignore' });
      const pkcs8Der = new Uint8Array(execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', pem, '-outform', 'DER']));
      const spkiDer = new Uint8Array(execFileSync('openssl', ['pkey', '-in', pem, '-pubout', '-outform', 'DER']));
      return { pem, pkcs8Der, spkiDer };
    },
    cert(key, o) {
      return issueCertificate(ca, { spkiDer: key.spkiDer, email: o.email, purpose: o.purpose, notBefore: o.notBefore, notAfter: o.notAfter, crlUrl: 'http://127.0.0.1/crl' });
    },
    p12(name, key, certDer, password, flavour = 'default', extraArgs = []) {
      const out = join(ws.dir, `${name}.p12`);
      const args = ['pkcs12', '-export', '-out', out, '-passout', 'env:P12PASS', ...FLAVOUR_ARGS[flavour], ...extraArgs];
      if (key) args.push('-inkey', key.pem);
      else args.push('-nokeys');
      if (certDer) args.push('-in', ws.write(`${name}-${n++}.pem`, toPem(certDer, 'CERTIFICATE')), '-certfile', caPem);
      else args.push('-nocerts');
      execFileSync('openssl', args, { env: { ...process.env, P12PASS: password }, stdio: ['ignore', 'ignore', 'pipe'] });
      return new Uint8Array(readFileSync(out));
    },
    cleanup: () => ws.cleanup(),
  };
}

/** True when `needle` occurs in `haystack`. */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(Buffer.from(needle)) !== -1;
}
