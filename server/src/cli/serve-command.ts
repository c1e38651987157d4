import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { buildWebIfNeeded, startServer } from '../serve.ts';
import type { CliKit } from './command-kit.ts';

/** `serve`: the HTTP server (admin API, device API, SCEP, PWA). */
export function registerServeCommand(program: Command, kit: CliKit): void {
  program
    .command('serve')
    .description('serve the portal (API, SCEP and the PWA) on HOST:PORT')
    .option('--port <port>', 'overrides PORT')
    .option('--host <host>', 'overrides HOST')
    .option('--build-if-needed', 'build the PWA first when dist/web is missing')
    .action(async (o: { port?: string; host?: string; buildIfNeeded?: boolean }) => {
      const config = loadConfig({ ...kit.io.env, ...(o.port ? { PORT: o.port } : {}), ...(o.host ? { HOST: o.host } : {}) });
      const log = (line: string) => kit.io.stdout.write(`${line}\n`);
      if (o.buildIfNeeded) await buildWebIfNeeded(log);
      const running = await startServer(config, log);
      kit.keepRunning(running.stop);
    });
}
