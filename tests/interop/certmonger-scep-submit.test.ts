/**
 * Interop with certmonger (Debian package certmonger 0.79) against the real server's /scep.
 *
 * - `scep-submit` alone reads GetCACaps and GetCACert (RA + CA) with its own HTTP and OpenSSL code.
 * - A full enrollment runs the real daemon, `certmonger-session`, on a private listening socket
 *   (`-L -P`, which getcert finds through CERTMONGER_PVT_ADDRESS): no D-Bus daemon is needed, and
 *   its state lives in a temporary HOME. The daemon builds the PKCSReq itself, encrypted to the
 *   RA certificate it took from GetCACert, and hands it to scep-submit, which checks our CertRep
 *   with OpenSSL's PKCS7_verify: that needs a signer with digitalSignature (the RA; the CA has
 *   only keyCertSign + cRLSign) and eContent present even in a FAILURE.
 * - `getcert resubmit` renews the way certmonger does: a PKCSReq signed by the certificate it
 *   renews (certmonger 0.79 never sends RenewalReq); the server serves it as a renewal.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.ts';
import { type Running, startServer } from '../../server/src/serve.ts';
import { cli } from '../support/run-cli.ts';

const run = promisify(execFile);
const SCEP_SUBMIT = '/usr/lib/certmonger/scep-submit';
const CERTMONGER_SESSION = '/usr/lib/certmonger/certmonger-session';
const dataDir = mkdtempSync(join(tmpdir(), 'certmonger-scep-'));
const home = join(dataDir, 'home');
const socket = join(home, 'certmonger.sock');
// certmonger speaks AES (GetCACaps), so single DES stays off.
const env = { DATA_DIR: dataDir, PORT: '0', SCEP_ALLOW_LEGACY_DES: '0', CA_KEY_ALGORITHM: 'RSA-2048', WORKER: 'off', LOG_LEVEL: 'silent', USER: 'tester' };
const getcertEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CERTMONGER_PVT_ADDRESS: `unix:path=${socket}` };
let server: Running;
let scepUrl: string;
let caPem: string;
let daemon: ChildProcess;
let daemonLog = '';

const pemsIn = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
const x509 = (cert: string, ...args: string[]) => execFileSync('openssl', ['x509', '-in', cert, '-noout', ...args], { encoding: 'utf8' });

async function getcert(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run('getcert', args, { env: getcertEnv, encoding: 'utf8', timeout: 90_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function until(what: string, probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}\n${daemonLog.slice(-3000)}`);
}

async function challenge(email: string): Promise<string> {
  const r = await cli(env, dataDir, 'scep', 'challenge', '--user', email, '--json');
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { challenge: string }).challenge;
}

const credentials = async (email: string) =>
  JSON.parse((await cli(env, dataDir, 'cert', 'list', '--user', email, '--json')).out) as { source: string; purpose: string; serialHex: string }[];

beforeAll(async () => {
  server = await startServer(loadConfig(env), () => undefined);
  scepUrl = `${server.url}/scep`;
  expect((await cli(env, dataDir, 'user', 'add', '--email', 'dana@example.org')).code).toBe(0);
  caPem = join(dataDir, 'ca.pem');
  writeFileSync(caPem, await (await fetch(`${server.url}/ca.pem`)).text());
  mkdirSync(home, { recursive: true });
  daemon = spawn(CERTMONGER_SESSION, ['-s', '-L', '-P', socket, '-n', '-d', '2'], { env: { PATH: getcertEnv.PATH, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.stdout?.on('data', (c: Buffer) => (daemonLog += c.toString()));
  daemon.stderr?.on('data', (c: Buffer) => (daemonLog += c.toString()));
  await until('the certmonger socket', async () => existsSync(socket));
}, 60_000);
afterAll(async () => {
  if (daemon.exitCode === null) {
    await new Promise((resolve) => {
      daemon.once('exit', resolve);
      daemon.kill('SIGTERM');
    });
  }
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('certmonger scep-submit', () => {
  it('reads the capabilities we advertise (GetCACaps)', async () => {
    const { stdout } = await run(SCEP_SUBMIT, ['-u', scepUrl, '-c'], { encoding: 'utf8', timeout: 20_000 });
    const caps = stdout.split('\n').filter(Boolean);
    for (const cap of ['AES', 'SHA-256', 'POSTPKIOperation', 'Renewal', 'SCEPStandard']) expect(caps).toContain(cap);
  });

  it('takes the RA as the encryption certificate and the CA as its issuer (GetCACert)', async () => {
    const { stdout } = await run(SCEP_SUBMIT, ['-u', scepUrl, '-C'], { encoding: 'utf8', timeout: 20_000 });
    const [ra, ca, ...rest] = pemsIn(stdout);
    expect(rest).toEqual([]);
    expect(der(ca!).equals(der(readFileSync(caPem, 'utf8')))).toBe(true);
    writeFileSync(join(dataDir, 'ra.pem'), `${ra}\n`);
    expect(x509(join(dataDir, 'ra.pem'), '-subject')).toContain('smime-portal Root CA SCEP RA');
  });
});

describe('certmonger daemon (certmonger-session) enrolling from /scep', () => {
  it('adds the SCEP CA and fetches its RA and CA certificates', async () => {
    expect((await getcert('add-scep-ca', '-c', 'Portal', '-u', scepUrl)).code).toBe(0);
    await until('the SCEP CA data', async () => (await getcert('list-cas', '-c', 'Portal')).out.includes('SCEP CA certificate thumbprint'));
    const listed = (await getcert('list-cas', '-c', 'Portal', '-v')).out;
    const configPath = /config-path: (\S+)/.exec(listed)?.[1];
    expect(configPath, listed).toBeDefined();
    // certmonger's own record: it encrypts requests to the RA, whose issuer is our CA.
    const record = readFileSync(configPath!, 'utf8');
    const field = (name: string) => pemsIn(record.split(`${name}=`)[1]?.replace(/\n /g, '\n') ?? '')[0];
    expect(der(field('ca_encryption_cert')!).equals(der(readFileSync(join(dataDir, 'ra.pem'), 'utf8')))).toBe(true);
    expect(der(field('ca_encryption_issuer_cert')!).equals(der(readFileSync(caPem, 'utf8')))).toBe(true);
  });

  it('enrolls with the challenge: the certificate chains to our CA, binds the challenge owner, is stored', async () => {
    const secret = await challenge('dana@example.org');
    const key = join(dataDir, 'dana.key');
    const cert = join(dataDir, 'dana.pem');
    const r = await getcert('request', '-c', 'Portal', '-k', key, '-f', cert, '-L', secret, '-N', 'CN=asked-for-something-else', '-I', 'dana', '-w', '--wait-timeout', '60');
    const status = (await getcert('list', '-i', 'dana')).out;
    expect(r.code, `${r.out}\n${status}\n${daemonLog.slice(-3000)}`).toBe(0);
    expect(status).toContain('status: MONITORING');
    expect(execFileSync('openssl', ['verify', '-CAfile', caPem, '-purpose', 'smimesign', cert], { encoding: 'utf8' })).toContain(': OK');
    expect(x509(cert, '-ext', 'subjectAltName')).toContain('email:dana@example.org');
    const stored = await credentials('dana@example.org');
    expect(stored).toMatchObject([{ source: 'scep', purpose: 'smimeSigning' }]);
    expect(stored[0]!.serialHex.toUpperCase()).toBe(x509(cert, '-serial').trim().replace('serial=', '').toUpperCase());
  });

  it('reports a wrong challenge as a rejection by the CA, at once (no retry loop)', async () => {
    const started = Date.now();
    const cert = join(dataDir, 'wrong.pem');
    await getcert('request', '-c', 'Portal', '-k', join(dataDir, 'wrong.key'), '-f', cert, '-L', '0123456789abcdef0123456789abcdef', '-I', 'wrong', '-w', '--wait-timeout', '60');
    const status = (await getcert('list', '-i', 'wrong')).out;
    expect(status).toContain('status: CA_REJECTED');
    expect(status).toContain('ca-error: Transaction either is not permitted or is not supported by server.');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(existsSync(cert)).toBe(false);
    expect(await credentials('dana@example.org')).toHaveLength(1);
  });

  it('renews (getcert resubmit): a new certificate for the same user, signed with the old one', async () => {
    const cert = join(dataDir, 'dana.pem');
    const before = x509(cert, '-serial');
    const r = await getcert('resubmit', '-i', 'dana', '-w', '--wait-timeout', '60');
    expect(r.code, `${r.out}\n${(await getcert('list', '-i', 'dana')).out}`).toBe(0);
    expect((await getcert('list', '-i', 'dana')).out).toContain('status: MONITORING');
    expect(x509(cert, '-serial')).not.toBe(before);
    expect(x509(cert, '-ext', 'subjectAltName')).toContain('email:dana@example.org');
    expect(execFileSync('openssl', ['verify', '-CAfile', caPem, '-purpose', 'smimesign', cert], { encoding: 'utf8' })).toContain(': OK');
    expect(await credentials('dana@example.org')).toHaveLength(2);
  });
});
