/**
 * Test support: run the openssl CLI on DER/PEM files in a private temp directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpensslWorkspace {
  dir: string;
  /** Writes bytes or text to a file in the workspace and returns its path. */
  write(name: string, content: Uint8Array | string): string;
  read(name: string): Uint8Array;
  /** Runs openssl; returns stdout+stderr and the exit status (never throws on non-zero). */
  run(args: string[]): { status: number; output: string };
  cleanup(): void;
}

/** Creates a temp workspace for openssl calls. */
export function createOpensslWorkspace(): OpensslWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'pki-test-'));
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    read(name) {
      return new Uint8Array(readFileSync(join(dir, name)));
    },
    run(args) {
      const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PEM-armours DER bytes. */
export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}
