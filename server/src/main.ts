/**
 * The process entry: the only file that reads the environment and handles signals. Everything
 * else receives what it needs as arguments.
 */
import { runCli } from './cli/run-cli.ts';

const result = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });

if (result.stop) {
  const stop = result.stop;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: shutting down\n`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`smime-portal: shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} else {
  process.exitCode = result.exitCode;
}
