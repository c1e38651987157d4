/**
 * Test support for SCEP interop: an RSA CA and its SCEP RA, a SCEP service with in-memory
 * challenge and transaction stores, and a node:http server routing /scep to it on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCa, loadCa, type CaSigner } from '../../server/src/pki/ca.ts';
import { issueCertificate } from '../../server/src/pki/issue-certificate.ts';
import { createRaCertificate, loadScepRa, type ScepRa } from '../../server/src/pki/scep/ra-certificate.ts';
import { createScepService, type ScepIdentity } from '../../server/src/pki/scep/scep-service.ts';
import { randomSerial } from '../../server/src/pki/serial.ts';

export interface ScepHarness {
  url: string;
  ca: CaSigner;
  caDer: Uint8Array;
  /** The RA that signs CertReps (digitalSignature + keyEncipherment, issued by `ca`). */
  ra: ScepRa;
  challenges: Map<string, ScepIdentity>;
  issuedSerials: string[];
  close(): Promise<void>;
}

/** Starts a SCEP server on a random port. */
export async function startScepHarness(options: { allowLegacyDes: boolean }): Promise<ScepHarness> {
  const now = new Date();
  const material = await createCa({ commonName: 'SCEP Test Root', keyAlgorithm: 'RSA-2048', validityYears: 2, now: new Date(now.getTime() - 3600_000) });
  const ca = await loadCa(material);
  const ra = loadScepRa(await createRaCertificate(ca, { notBefore: new Date(now.getTime() - 600_000), notAfter: new Date(now.getTime() + 365 * 86400_000), serial: randomSerial() }), ca);
  const challenges = new Map<string, ScepIdentity>();
  const transactions = new Set<string>();
  const issued = new Map<string, ScepIdentity>();
  const issuedSerials: string[] = [];
  const service = createScepService({
    ca,
    ra: async () => ({ current: ra, previous: [] }),
    allowLegacyDes: options.allowLegacyDes,
    async verifyChallenge(challenge) {
      const identity = challenges.get(challenge);
      challenges.delete(challenge);
      return identity ?? null;
    },
    async rememberTransaction(id) {
      if (transactions.has(id)) return false;
      transactions.add(id);
      return true;
    },
    async issue(spkiDer, email, displayName) {
      const der = await issueCertificate(ca, {
        spkiDer,
        email,
        displayName,
        purpose: 'smimeSigning',
        notBefore: new Date(Date.now() - 300_000),
        notAfter: new Date(Date.now() + 365 * 86400_000),
        crlUrl: 'http://127.0.0.1/crl/root.crl',
      });
      const key = Buffer.from(der).toString('base64');
      issued.set(key, { email, displayName });
      issuedSerials.push(key);
      return der;
    },
    async findIssuedBySigner(certDer) {
      return issued.get(Buffer.from(certDer).toString('base64')) ?? null;
    },
  });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const operation = url.searchParams.get('operation');
      let message: Uint8Array | null = null;
      if (req.method === 'POST') message = new Uint8Array(Buffer.concat(chunks));
      else if (url.searchParams.has('message')) message = new Uint8Array(Buffer.from(url.searchParams.get('message') ?? '', 'base64'));
      service
        .handle({ operation, message })
        .then((reply) => {
          res.writeHead(reply.status, { 'content-type': reply.contentType });
          res.end(typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body));
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/scep`,
    ca,
    caDer: material.certificateDer,
    ra,
    challenges,
    issuedSerials,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
