import type { Writable } from 'node:stream';

/** Where a command writes: stdout for results, stderr for the one-line reason of a failure. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** Reads a file argument (CSV, PKCS#12…); injectable for tests. */
  cwd: string;
}

/**
 * Prints a result: with --json the value as JSON, else the human text. Every command goes
 * through here so --json is uniform.
 */
export function emit(io: CliIo, json: boolean, value: unknown, human: () => string): void {
  io.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/** Left-aligned columns for human-readable tables. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
