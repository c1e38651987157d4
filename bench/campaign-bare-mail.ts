/**
 * The bare pooled mail loop in a process of its own (`node --import tsx bench/campaign-bare-mail.ts
 * N SMTP_URL CONCURRENCY CONNECTIONS nodemailer|channel`), so that it starts as fresh as the worker
 * process it is compared with, not in a benchmark process whose heap the push campaigns before it
 * have grown. Sends its `Rate` to the parent over IPC and exits.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { bareMailRate, type MailLoop, type Rate } from './campaign-baselines.ts';

/** Runs the bare loop against `smtpUrl` in a fresh child process. */
export async function bareMailRateInProcess(n: number, smtpUrl: string, concurrency: number, maxConnections: number, loop: MailLoop): Promise<Rate> {
  const child = fork(fileURLToPath(import.meta.url), [String(n), smtpUrl, String(concurrency), String(maxConnections), loop], {
    // e.g. BENCH_BARE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof', as BENCH_WORKER_NODE_ARGS for the worker.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_BARE_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const [rate] = (await once(child, 'message')) as [Rate];
  await exited;
  return rate;
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [n, url, concurrency, connections, loop] = process.argv.slice(2);
  const rate = await bareMailRate(Number(n), url!, Number(concurrency), Number(connections), loop === 'channel' ? 'channel' : 'nodemailer');
  process.send(rate, () => process.exit(0));
}
