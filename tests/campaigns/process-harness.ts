/**
 * Out-of-process pieces: `smime-portal worker` child processes and a fast loopback push sink
 * that counts what each device receives (its endpoint path names the device).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createECDH, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateVapidKeys } from '../../server/src/channels/push/vapid.ts';

export interface PushSink {
  base: string;
  /** Receipts per endpoint path. */
  received: Map<string, number>;
  total(): number;
  close(): Promise<void>;
}

/** A push service stand-in answering 201 at once, keep-alive. */
export async function startPushSink(): Promise<PushSink> {
  const received = new Map<string, number>();
  let total = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '';
      received.set(path, (received.get(path) ?? 0) + 1);
      total += 1;
      res.writeHead(201, { 'content-length': '0' });
      res.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    base: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    received,
    total: () => total,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** One user-agent key pair reused by every test device (the sink does not decrypt). */
export function testSubscriptionKeys(): { p256dh: string; auth: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey(null, 'uncompressed').toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

/** A data dir with the VAPID keys already made, shared by every worker of a test. */
export function workerDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'smime-portal-workers-'));
  writeFileSync(join(dir, 'vapid.json'), JSON.stringify(generateVapidKeys()), { mode: 0o600 });
  return dir;
}

/** `postgres://…?options=-c search_path=SCHEMA`: a worker process on the test's own schema. */
export function postgresUrlFor(url: string, schema: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once the worker logged that it started. */
  ready: Promise<void>;
}

/** Spawns `smime-portal worker` with the given environment. */
export function spawnWorker(env: Record<string, string>, nodeArgs: string[] = []): WorkerProcess {
  const child = spawn(process.execPath, [...nodeArgs, resolve('bin/smime-portal.js'), 'worker'], {
    env: { PATH: process.env.PATH ?? '', PUSH_RATE: '0', EMAIL_RATE: '0', PUSH_ALLOW_INSECURE: '1', PUBLIC_URL: 'https://portal.example.com', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise<void>((resolveReady, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('worker started')) resolveReady();
    });
    child.stderr!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
  ready.catch(() => undefined);
  return { child, output: () => out, ready };
}

/** Ends a worker process (SIGTERM, or SIGKILL to simulate a crash) and waits for it. */
export async function stopWorker(w: WorkerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  const exited = once(w.child, 'exit');
  w.child.kill(signal);
  await exited;
}
