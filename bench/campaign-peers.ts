/**
 * Loopback peers for the campaign benchmark: a push receiver and an SMTP sink, each in a child
 * process (bench/campaign-sink.ts) so that receiving does not eat the sender's CPU. Baselines and
 * the campaign run against the same kind of sink.
 */
import { execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Sink {
  base: string;
  /** The receiver's self-signed certificate (PEM) when it speaks HTTPS. */
  ca?: string;
  /** Messages received so far and when the first arrived (epoch ms, see `nowEpochMs`). */
  stats(): Promise<SinkStats>;
  close(): Promise<void>;
}

export interface SinkStats {
  count: number;
  firstAt: number | null;
  /** The sink process's CPU time so far (user + system, µs). */
  cpuUs: number;
}

/** High-resolution epoch milliseconds, comparable with the sink process's `firstAt`. */
export const nowEpochMs = () => performance.timeOrigin + performance.now();

async function startSink(kind: 'push' | 'smtp', tls = false): Promise<Sink> {
  const dir = mkdtempSync(join(tmpdir(), 'smime-portal-bench-sink-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  if (tls) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  }
  const child = fork(fileURLToPath(new URL('./campaign-sink.ts', import.meta.url)), [kind, ...(tls ? [key, cert] : [])], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [{ port: number }];
  const scheme = kind === 'smtp' ? 'smtp' : tls ? 'https' : 'http';
  const ca = tls ? readFileSync(cert, 'utf8') : undefined;
  rmSync(dir, { recursive: true, force: true });
  return {
    base: `${scheme}://127.0.0.1:${ready.port}`,
    ...(ca ? { ca } : {}),
    async stats() {
      const reply = once(child, 'message');
      child.send('stats');
      const [stats] = (await reply) as [SinkStats];
      return stats;
    },
    async close() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A push service stand-in answering 201 to every message over keep-alive connections; with `tls`
 * it speaks HTTPS with a fresh self-signed certificate (`ca`), as real push services do.
 */
export const pushReceiver = (tls = false) => startSink('push', tls);

/** An SMTP server that accepts every message and discards it. */
export const smtpSink = () => startSink('smtp');
