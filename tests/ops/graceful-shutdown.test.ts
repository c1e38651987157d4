/**
 * SIGTERM mid-campaign: the process stops taking requests and claims, lets in-flight sends
 * finish, records them, and exits 0. Nothing is left "sending"; a restart finishes the rest and
 * nobody is notified twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../server/src/store/open-database.ts';
import { until } from '../campaigns/harness.ts';
import { spawnWorker, stopWorker, workerDataDir } from '../campaigns/process-harness.ts';
import { pushCampaign } from '../campaigns/worker-processes.ts';

/** A push service that answers 201 after `delayMs`, so sends are in flight when SIGTERM lands. */
async function slowSink(delayMs: number) {
  const received = new Map<string, number>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        received.set(req.url ?? '', (received.get(req.url ?? '') ?? 0) + 1);
        res.writeHead(201, { 'content-length': '0' });
        res.end();
      }, delayMs),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    base: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    received,
    total: () => [...received.values()].reduce((a, b) => a + b, 0),
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

function spawnServe(env: Record<string, string>): { child: ChildProcess; ready: Promise<void>; output: () => string } {
  const child = spawn(process.execPath, [resolve('bin/smime-portal.js'), 'serve'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', PUSH_RATE: '0', PUSH_ALLOW_INSECURE: '1', PUBLIC_URL: 'https://portal.example.com', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise<void>((ok, fail) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      if (out.includes('serving http')) ok();
    });
    child.stderr!.on('data', (c: Buffer) => {
      out += c;
    });
    child.once('exit', (code) => fail(new Error(`serve exited with ${code}: ${out}`)));
  });
  ready.catch(() => undefined);
  return { child, ready, output: () => out };
}

const count = async (db: OpenDatabase, state: string) =>
  Number((await db.db.selectFrom('deliveries').where('state', '=', state as never).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

let database: OpenDatabase | undefined;
let dir: string | undefined;
let sink: Awaited<ReturnType<typeof slowSink>> | undefined;
afterEach(async () => {
  await database?.close();
  await sink?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('graceful shutdown', () => {
  it('SIGTERM to serve mid-campaign: exits 0, nothing stuck in sending, restart sends the rest once', async () => {
    const n = 1500;
    dir = workerDataDir();
    database = await openDatabase({ kind: 'sqlite', file: join(dir, 'smime-portal.sqlite') });
    sink = await slowSink(40);
    await pushCampaign(database, sink, n);
    const serve = spawnServe({ DATA_DIR: dir, WORKER_CONCURRENCY: '32' });
    await serve.ready;
    await until(() => sink!.total() >= 200, 60_000, 'part of the campaign sent');
    const exited = once(serve.child, 'exit');
    serve.child.kill('SIGTERM');
    const [code] = await exited;
    expect(code, serve.output()).toBe(0);
    expect(await count(database, 'sending')).toBe(0);
    const sentAtStop = await count(database, 'sent');
    expect(sentAtStop).toBeLessThan(n);
    // Every send the process started before SIGTERM was recorded: the sink saw exactly those.
    expect(sink.total()).toBe(sentAtStop);

    const worker = spawnWorker({ DATA_DIR: dir });
    try {
      await worker.ready;
      await until(async () => (await count(database!, 'sent')) === n, 90_000, 'every recipient sent');
    } finally {
      await stopWorker(worker);
    }
    expect(sink.received.size).toBe(n);
    expect(sink.total()).toBe(n);
  }, 150_000);
});
