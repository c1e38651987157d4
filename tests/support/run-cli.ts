import { PassThrough } from 'node:stream';
import { runCli } from '../../server/src/cli/run-cli.ts';

/** Runs the CLI in-process with its own env and captures stdout/stderr. */
export async function cli(env: Record<string, string>, cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const r = await runCli(args, { stdout, stderr, env, cwd });
  await r.stop?.();
  return { code: r.exitCode, out, err };
}
