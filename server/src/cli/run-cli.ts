import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { AppError } from '../errors.ts';
import { createKit } from './command-kit.ts';
import { registerDeviceCommands } from './device-commands.ts';
import { registerDemoCommand } from './demo-command.ts';
import { registerDirectoryCommands } from './directory-commands.ts';
import type { CliIo } from './output.ts';
import { registerOpsCommands } from './ops-commands.ts';
import { registerPolicyCommands } from './policy-commands.ts';
import { registerServeCommand } from './serve-command.ts';
import { registerTokenCommands } from './token-commands.ts';
import { registerCredentialCommands } from './credential-commands.ts';
import { registerCampaignCommands } from './campaign-commands.ts';

export interface CliResult {
  exitCode: number;
  /** Set by long-running commands (serve, worker): call on SIGTERM. */
  stop?: () => Promise<void>;
}

/** One line for the failure: the reason, never a stack (the stack goes nowhere near a user). */
function reasonOf(error: unknown): string {
  if (error instanceof AppError) {
    return error.code === 'internal' ? `internal error: ${String((error.cause as Error)?.message ?? error.message)}` : error.message;
  }
  if (error instanceof ConfigError) return error.message;
  return (error as Error)?.message ?? String(error);
}

/**
 * Runs `smime-portal <args>`: parses, runs the command, and returns the exit code (0 success,
 * 1 failure with a one-line reason on stderr, 2 usage error).
 */
export async function runCli(args: string[], io: CliIo): Promise<CliResult> {
  let stop: CliResult['stop'];
  const kit = createKit(io, (s) => {
    stop = s;
  });
  const program = new Command('smime-portal')
    .description('smime-portal: deliver S/MIME certificates (encryption history and signing) to users’ devices')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  registerServeCommand(program, kit);
  registerDirectoryCommands(program, kit);
  registerPolicyCommands(program, kit);
  registerTokenCommands(program, kit);
  registerCredentialCommands(program, kit);
  registerCampaignCommands(program, kit);
  registerOpsCommands(program, kit);
  registerDeviceCommands(program, kit);
  registerDemoCommand(program, kit);
  for (const cmd of program.commands) cmd.exitOverride();

  try {
    await program.parseAsync(args, { from: 'user' });
    return { exitCode: 0, stop };
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed.
      return { exitCode: error.exitCode === 0 ? 0 : 2 };
    }
    io.stderr.write(`smime-portal: ${reasonOf(error).split('\n')[0]}\n`);
    return { exitCode: 1 };
  }
}
