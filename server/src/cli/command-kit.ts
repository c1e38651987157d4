import type { Command } from 'commander';
import { type Config, loadConfig } from '../config.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import type { CliIo } from './output.ts';

/** What every command group gets to register its commands. */
export interface CliKit {
  io: CliIo;
  /** Opens the runtime, runs `fn`, closes it (also on error). */
  withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T>;
  config(): Config;
  /** Long-running commands (serve, worker) hand their stop function here for SIGTERM. */
  keepRunning(stop: () => Promise<void>): void;
}

export function createKit(io: CliIo, onRunning: (stop: () => Promise<void>) => void): CliKit {
  let config: Config | undefined;
  const kit: CliKit = {
    io,
    config: () => {
      config ??= loadConfig(io.env);
      return config;
    },
    async withRuntime(fn) {
      const rt = await openRuntime(kit.config());
      try {
        return await fn(rt);
      } finally {
        await rt.close();
      }
    },
    keepRunning: onRunning,
  };
  return kit;
}

/** Adds --json to a command (every command has it). */
export function withJson(cmd: Command): Command {
  return cmd.option('--json', 'print machine-readable JSON');
}

/** The actor recorded in the audit log for CLI actions. */
export function cliActor(io: CliIo): string {
  return `cli:${io.env.USER ?? io.env.LOGNAME ?? 'unknown'}`;
}
