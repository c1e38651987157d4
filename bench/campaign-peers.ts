/**
 * Loopback peers for the campaign benchmark: a push receiver and an SMTP sink, each in a child
 * process (bench/campaign-sink.ts) so that receiving does not eat the sender's CPU. Baselines and
 * the campaign run against the same kind of sink.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface Sink {
  base: string;
  /** Messages received so far and when the first arrived (epoch ms, see `nowEpochMs`). */
  stats(): Promise<{ count: number; firstAt: number | null }>;
  close(): Promise<void>;
}

/** High-resolution epoch milliseconds, comparable with the sink process's `firstAt`. */
export const nowEpochMs = () => performance.timeOrigin + performance.now();

async function startSink(kind: 'push' | 'smtp'): Promise<Sink> {
  const child = fork(fileURLToPath(new URL('./campaign-sink.ts', import.meta.url)), [kind], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [{ port: number }];
  const scheme = kind === 'push' ? 'http' : 'smtp';
  return {
    base: `${scheme}://127.0.0.1:${ready.port}`,
    async stats() {
      const reply = once(child, 'message');
      child.send('stats');
      const [stats] = (await reply) as [{ count: number; firstAt: number | null }];
      return stats;
    },
    async close() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A push service stand-in answering 201 to every message over keep-alive connections. */
export const pushReceiver = () => startSink('push');

/** An SMTP server that accepts every message and discards it. */
export const smtpSink = () => startSink('smtp');
