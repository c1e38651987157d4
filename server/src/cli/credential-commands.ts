import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { derToPem } from '../../../shared/pki/certificate-info.ts';
import { importCa, loadActiveCa } from '../domain/ca/ca-service.ts';
import { issueWithServerKey } from '../domain/ca/issue-credential.ts';
import { runRenewalSweep } from '../domain/ca/renewal-sweep.ts';
import { REVOCATION_REASONS, revokeCredential } from '../domain/ca/revocation.ts';
import { createScepChallenge } from '../domain/ca/scep-challenges.ts';
import { announceNewCertificates } from '../domain/credentials/announce.ts';
import { type BulkItemResult, importPkcs12Bulk } from '../domain/credentials/bulk-import.ts';
import { deleteCredential, type HistoryEntry, listCredentials, requireUserByEmail } from '../domain/credentials/credential-service.ts';
import { MAX_PKCS12_BYTES, type Pkcs12ImportInput } from '../domain/credentials/import-pkcs12.ts';
import { createTrustAnchors } from '../domain/credentials/trust-anchors.ts';
import { CREDENTIAL_PURPOSES, type CredentialPurpose } from '../domain/credentials/types.ts';
import { parseCsv } from '../domain/directory/parse-csv.ts';
import { AppError } from '../errors.ts';
import type { Runtime } from '../runtime.ts';
import { openCertificates } from '../vault/open-certificates.ts';
import { openVerifiedVault } from '../vault/open-vault.ts';
import { rotateKekEnv, rotateKekFile } from '../vault/rotate-kek.ts';
import { type CliKit, cliActor, withJson } from './command-kit.ts';
import { emit, table } from './output.ts';

function purposeOf(value: string): CredentialPurpose {
  if (!(CREDENTIAL_PURPOSES as readonly string[]).includes(value)) throw new AppError('validation_failed', `--purpose must be one of ${CREDENTIAL_PURPOSES.join(', ')}`);
  return value as CredentialPurpose;
}

function passwordFrom(kit: CliKit, envName: string | undefined): string {
  if (!envName) return '';
  const value = kit.io.env[envName];
  if (value === undefined) throw new AppError('validation_failed', `--password-env ${envName}: that environment variable is not set`);
  return value;
}

/** Reads a file, refusing oversized ones before reading them whole. */
function readPkcs12File(path: string): Uint8Array {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new AppError('not_found', `${basename(path)}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (size > MAX_PKCS12_BYTES) throw new AppError('payload_too_large', `${basename(path)}: the file is ${size} bytes; PKCS#12 files above ${MAX_PKCS12_BYTES} bytes are refused`);
  return new Uint8Array(readFileSync(path));
}

/** file,email[,purpose] rows of a mapping CSV (a header row naming `file` is skipped). */
function* mappedInputs(dir: string, mapFile: string, purpose: CredentialPurpose, password: string): Generator<Pkcs12ImportInput> {
  const rows = parseCsv(readFileSync(mapFile, 'utf8')).filter((r) => r.fields.some((f) => f.trim() !== ''));
  for (const row of rows) {
    const [file = '', email = '', rowPurpose = ''] = row.fields.map((f) => f.trim());
    if (row.line === 1 && file.toLowerCase() === 'file') continue;
    const input = { email, purpose: rowPurpose ? purposeOf(rowPurpose) : purpose, password, fileName: file };
    if (basename(file) !== file) throw new AppError('validation_failed', `${basename(mapFile)} line ${row.line}: ${file} must be a file name inside ${dir}`);
    yield { ...input, bytes: readPkcs12File(resolve(dir, file)) };
  }
}

const short = (h: string) => h.slice(0, 16);
function credentialRows(items: HistoryEntry[]): string {
  return table([
    ['ID', 'PURPOSE', 'SOURCE', 'STATUS', 'CURRENT', 'NOT AFTER', 'SHA-256', 'SUBJECT'],
    ...items.map((c) => [c.id, c.purpose, c.source, c.status, c.current ? 'yes' : '', c.notAfter.toISOString().slice(0, 10), short(c.sha256), c.subject]),
  ]);
}

function describeResult(r: BulkItemResult): string {
  if (!r.ok) return `rejected  ${r.fileName ?? '-'}: ${r.reason}`;
  const { result } = r;
  const warnings = result.warnings.map((w) => `\n          warning: ${w.message}`).join('');
  return `${result.status.padEnd(9)} ${result.fileName ?? '-'}  ${result.credential.purpose}  sha256 ${short(result.credential.sha256)}…${warnings}`;
}

async function withServices<T>(rt: Runtime, create: boolean, fn: (s: Awaited<ReturnType<typeof openCertificates>>) => Promise<T>): Promise<T> {
  return fn(await openCertificates(rt.config, rt.context('system'), { create }));
}

/** `pfx import`, `cert …`, `ca …`, `scep challenge`, `kek rotate`. */
export function registerCredentialCommands(program: Command, kit: CliKit): void {
  const { io } = kit;

  withJson(program.command('pfx').description('PKCS#12 files').command('import').description('import PKCS#12 (.p12/.pfx) files into users’ credentials'))
    .argument('[files...]', 'PKCS#12 files for --user')
    .option('--user <email>', 'the user the files belong to')
    .requiredOption('--purpose <purpose>', 'smimeEncryption | smimeSigning | both')
    .option('--password-env <VAR>', 'environment variable holding the password (default: empty password)')
    .option('--dir <folder>', 'bulk form: folder with the files named in --map')
    .option('--map <file.csv>', 'bulk form: CSV rows file,email[,purpose]')
    .action((files: string[], o: { user?: string; purpose: string; passwordEnv?: string; dir?: string; map?: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const purpose = purposeOf(o.purpose);
        const password = passwordFrom(kit, o.passwordEnv);
        let inputs: Iterable<Pkcs12ImportInput>;
        if (o.map || o.dir) {
          if (!o.map || !o.dir || files.length > 0 || o.user) throw new AppError('validation_failed', 'the bulk form takes --dir FOLDER --map FILE.csv and no --user or file arguments');
          inputs = mappedInputs(resolve(io.cwd, o.dir), resolve(io.cwd, o.map), purpose, password);
        } else {
          if (!o.user || files.length === 0) throw new AppError('validation_failed', 'give --user EMAIL and at least one FILE (or --dir and --map)');
          const email = o.user;
          inputs = files.map((f) => ({ email, purpose, password, fileName: basename(f), bytes: readPkcs12File(resolve(io.cwd, f)) }));
        }
        const ctx = rt.context(cliActor(io));
        const vault = await openVerifiedVault(rt.config, rt.store, { create: true });
        const ca = await loadActiveCa(ctx, vault);
        const results = await importPkcs12Bulk(ctx, { vault, anchors: createTrustAnchors(ca ? [ca.record.certificateDer] : []) }, inputs, (r) => {
          if (!o.json) io.stdout.write(`${describeResult(r)}\n`);
        });
        const users = new Set(results.flatMap((r) => (r.ok && r.result.status === 'imported' ? [r.result.credential.userId] : [])));
        for (const userId of users) await announceNewCertificates(ctx, userId, (m, d) => io.stderr.write(`warning: ${m} ${JSON.stringify(d)}\n`));
        if (o.json) emit(io, true, results, () => '');
        const failed = results.filter((r) => !r.ok);
        if (failed.length === 1 && results.length === 1 && !failed[0]!.ok) throw new AppError('validation_failed', failed[0]!.reason);
        if (failed.length > 0) throw new AppError('validation_failed', `${failed.length} of ${results.length} file(s) rejected`);
      }),
    );

  const cert = program.command('cert').description('certificates and escrowed keys');
  withJson(cert.command('list').description('list a user’s credentials, newest first (current = newest valid encryption certificate)'))
    .requiredOption('--user <email>', 'the user')
    .action((o: { user: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const ctx = rt.context(cliActor(io));
        const user = await requireUserByEmail(ctx, o.user);
        const items = await listCredentials(ctx, user.id);
        emit(io, !!o.json, items.map((c) => ({ ...c, certificateDer: undefined, chain: undefined })), () => (items.length ? credentialRows(items) : `no credentials for ${user.email}`));
      }),
    );

  withJson(cert.command('issue').description('issue a certificate from the built-in CA with a server-made, escrowed key'))
    .requiredOption('--user <email>', 'the user')
    .requiredOption('--purpose <purpose>', 'smimeEncryption | smimeSigning')
    .action((o: { user: string; purpose: string; json?: boolean }) =>
      kit.withRuntime((rt) =>
        withServices(rt, true, async (s) => {
          const purpose = purposeOf(o.purpose);
          if (purpose === 'both') throw new AppError('validation_failed', '--purpose must be smimeEncryption or smimeSigning');
          const ctx = rt.context(cliActor(io));
          const user = await requireUserByEmail(ctx, o.user);
          const c = await issueWithServerKey(ctx, s.issuer, user, purpose);
          await announceNewCertificates(ctx, user.id);
          emit(io, !!o.json, { ...c, certificateDer: undefined, chain: undefined }, () => `issued ${c.purpose} certificate ${c.id} for ${user.email} (serial ${c.serialHex}, until ${c.notAfter.toISOString().slice(0, 10)})`);
        }),
      ),
    );

  withJson(cert.command('revoke').description('revoke a credential (it appears on the next /crl)'))
    .argument('<id>', 'credential id (see cert list)')
    .option('--reason <reason>', REVOCATION_REASONS.join(' | '), 'unspecified')
    .action((id: string, o: { reason: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const c = await revokeCredential(rt.context(cliActor(io)), id, o.reason);
        emit(io, !!o.json, { id: c.id, status: c.status, revokedAt: c.revokedAt }, () => `revoked ${c.id} (${o.reason})`);
      }),
    );

  withJson(cert.command('delete').description('delete a credential: never delivered again (audited)'))
    .argument('<id>', 'credential id (see cert list)')
    .action((id: string, o: { json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const c = await deleteCredential(rt.context(cliActor(io)), id);
        emit(io, !!o.json, { id: c.id, status: c.status }, () => `deleted ${c.id}`);
      }),
    );

  withJson(cert.command('renew').description('run the encryption-certificate renewal sweep now (the server runs it daily)')).action((o: { json?: boolean }) =>
    kit.withRuntime((rt) =>
      withServices(rt, true, async (s) => {
        const ctx = rt.context(cliActor(io));
        const r = await runRenewalSweep(ctx, s.issuer, { threshold: rt.config.renewalThreshold, onRenewed: (userId) => announceNewCertificates(ctx, userId) });
        emit(io, !!o.json, r, () => `renewed ${r.renewed.length} certificate(s)${r.failed.length ? `, ${r.failed.length} failed: ${r.failed.map((f) => f.reason).join('; ')}` : ''}`);
      }),
    ),
  );

  const ca = program.command('ca').description('the built-in certification authority');
  withJson(ca.command('import').description('make the CA from a PKCS#12 file the active CA (key sealed in the vault)'))
    .argument('<file>', 'PKCS#12 file with the CA certificate and key')
    .option('--password-env <VAR>', 'environment variable holding the password')
    .action((file: string, o: { passwordEnv?: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const vault = await openVerifiedVault(rt.config, rt.store, { create: true });
        const r = await importCa(rt.context(cliActor(io)), vault, readPkcs12File(resolve(io.cwd, file)), passwordFrom(kit, o.passwordEnv));
        emit(io, !!o.json, { id: r.record.id, keyAlgorithm: r.signer.keyAlgorithm }, () => `imported CA ${r.record.id} (${r.signer.keyAlgorithm}); restart the server to use it`);
      }),
    );

  withJson(ca.command('show').description('print the active CA certificate (PEM)')).action((o: { json?: boolean }) =>
    kit.withRuntime((rt) =>
      withServices(rt, true, async (s) => {
        const r = s.ca.record;
        emit(io, !!o.json, { id: r.id, source: r.source, keyAlgorithm: r.keyAlgorithm, certificatePem: derToPem(r.certificateDer) }, () => derToPem(r.certificateDer).trimEnd());
      }),
    ),
  );

  withJson(program.command('scep').description('SCEP enrollment').command('challenge').description('create a one-time SCEP challenge password for a user'))
    .requiredOption('--user <email>', 'the user')
    .option('--ttl <minutes>', 'lifetime in minutes (default SCEP_CHALLENGE_TTL_MINUTES)')
    .action((o: { user: string; ttl?: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const ctx = rt.context(cliActor(io));
        const user = await requireUserByEmail(ctx, o.user);
        const ttl = o.ttl === undefined ? rt.config.scepChallengeTtlMinutes : Number(o.ttl);
        const r = await createScepChallenge(ctx, user, ttl);
        emit(io, !!o.json, { challenge: r.challenge, expiresAt: r.expiresAt.toISOString() }, () => `${r.challenge}\n(one-time, for ${user.email}, valid until ${r.expiresAt.toISOString()})`);
      }),
    );

  withJson(program.command('kek').description('the key-encryption key').command('rotate').description('re-wrap every data key under a new KEK (safe to interrupt and re-run)'))
    .option('--to-env <VAR>', 'when KEK is set: environment variable holding the new KEK (base64 of 32 bytes)')
    .action((o: { toEnv?: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const progress = (n: number) => {
          if (!o.json) io.stdout.write(`re-wrapped ${n} data key(s)…\n`);
        };
        let r: Awaited<ReturnType<typeof rotateKekFile>>;
        if (rt.config.kek) {
          const next = o.toEnv ? io.env[o.toEnv] : undefined;
          if (!next) throw new AppError('validation_failed', 'KEK is set in the environment: pass --to-env VAR with the new KEK (base64), then set KEK to it');
          r = await rotateKekEnv(rt.store, rt.config.kek, next, progress);
        } else {
          if (o.toEnv) throw new AppError('validation_failed', '--to-env is for KEK set in the environment; the file KEK rotates on its own');
          await openVerifiedVault(rt.config, rt.store, { create: false });
          r = await rotateKekFile(rt.store, rt.config.dataDir, progress);
        }
        await rt.store.audit.append({ at: rt.clock.now(), actor: cliActor(io), action: 'kek.rotate', target: null, details: { from: r.fromKekId, to: r.toKekId, rewrapped: r.rewrapped } });
        emit(io, !!o.json, r, () => `KEK rotated ${r.fromKekId} → ${r.toKekId}: ${r.rewrapped} data key(s) re-wrapped${r.resumed ? ' (continued an interrupted rotation)' : ''}${rt.config.kek ? '; now set KEK to the new value' : ''}`);
      }),
    );
}
