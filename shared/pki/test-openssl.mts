/**
 * Test-only helpers that make real fixtures with the openssl CLI (OpenSSL 3) in a temp dir.
 * A .mts file so the browser-targeted shared/tsconfig (no node types) does not include it.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type KeyKind = 'rsa2048' | 'rsa3072' | 'rsa4096' | 'ec256' | 'ec384';

export interface Workdir {
  dir: string;
  path(name: string): string;
  write(name: string, data: string | Uint8Array): string;
  read(name: string): Uint8Array;
  cleanup(): void;
}

export function workdir(): Workdir {
  const dir = mkdtempSync(join(tmpdir(), 'smime-pki-'));
  return {
    dir,
    path: (name) => join(dir, name),
    write: (name, data) => {
      writeFileSync(join(dir, name), data);
      return join(dir, name);
    },
    read: (name) => new Uint8Array(readFileSync(join(dir, name))),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs openssl and returns stdout; throws with stderr on failure. */
export function openssl(args: string[], options: { cwd?: string; input?: Uint8Array | string } = {}): Uint8Array {
  return new Uint8Array(
    execFileSync('openssl', args, {
      cwd: options.cwd,
      input: options.input,
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
}

/** Runs openssl and returns stdout + stderr as text (where `-info` and `-text` details go). */
export function opensslText(args: string[]): string {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

function keygenArgs(kind: KeyKind): string[] {
  switch (kind) {
    case 'rsa2048':
      return ['-newkey', 'rsa:2048'];
    case 'rsa3072':
      return ['-newkey', 'rsa:3072'];
    case 'rsa4096':
      return ['-newkey', 'rsa:4096'];
    case 'ec256':
      return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    case 'ec384':
      return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'];
  }
}

export interface Issued {
  keyPem: string;
  certPem: string;
  /** PKCS#8 DER of the private key. */
  keyDer: Uint8Array;
  certDer: Uint8Array;
}

/**
 * Makes a key and a certificate. Without `ca` it is self-signed; `ext` lines go in the
 * extension section (e.g. 'keyUsage=critical,digitalSignature').
 */
export function issue(
  w: Workdir,
  name: string,
  options: { kind?: KeyKind; subj: string; ext?: string[]; ca?: { key: string; cert: string }; days?: number; serial?: string },
): Issued {
  const kind = options.kind ?? 'rsa2048';
  const keyPath = w.path(`${name}.key`);
  const certPath = w.path(`${name}.crt`);
  const extPath = w.write(`${name}.ext`, `[req]\ndistinguished_name=dn\n[dn]\n[ext]\n${(options.ext ?? ['basicConstraints=CA:FALSE']).join('\n')}\n`);
  const days = String(options.days ?? 365);
  if (!options.ca) {
    openssl(['req', '-x509', ...keygenArgs(kind), '-nodes', '-keyout', keyPath, '-out', certPath, '-subj', options.subj,
      '-days', days, '-config', extPath, '-extensions', 'ext', ...(options.serial ? ['-set_serial', options.serial] : [])]);
  } else {
    const csrPath = w.path(`${name}.csr`);
    openssl(['req', '-new', ...keygenArgs(kind), '-nodes', '-keyout', keyPath, '-out', csrPath, '-subj', options.subj,
      '-config', extPath]);
    openssl(['x509', '-req', '-in', csrPath, '-CA', options.ca.cert, '-CAkey', options.ca.key, '-out', certPath,
      '-days', days, '-extfile', extPath, '-extensions', 'ext', '-set_serial', options.serial ?? '0x1234']);
  }
  return {
    keyPem: keyPath,
    certPem: certPath,
    keyDer: openssl(['pkcs8', '-topk8', '-nocrypt', '-in', keyPath, '-outform', 'DER']),
    certDer: openssl(['x509', '-in', certPath, '-outform', 'DER']),
  };
}

/** `openssl pkcs12 -export` with extra args; returns the file bytes. */
export function exportP12(w: Workdir, name: string, args: string[], password: string): Uint8Array {
  const out = w.path(`${name}.p12`);
  openssl(['pkcs12', '-export', '-out', out, '-passout', 'stdin', ...args], { input: `${password}\n` });
  return new Uint8Array(readFileSync(out));
}
