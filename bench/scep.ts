/**
 * SCEP benchmark: BENCH_SCEP_N (200) enrollments by Debian's `scepclient`, one after the other
 * and 8 at a time, against this server (`serve` on SQLite, SCEP_ALLOW_LEGACY_DES=1 because
 * scepclient 2.1.0 only speaks single DES) and against Debian's `scepserver` with a CA of the
 * same key size (RSA-3072, our default). Client keys are made before the clock starts; each
 * enrollment gets its own key (our server refuses a replayed transaction id, which scepclient
 * derives from the key). Both servers run in their own process. Counts failures and duplicate
 * serials per run, and prints what bounds the ratio: scepclient's own time and CPU.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { generateKeyPair, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '../server/src/config.ts';
import { createScepChallenge } from '../server/src/domain/ca/scep-challenges.ts';
import { openRuntime } from '../server/src/runtime.ts';

const N = Number(process.env.BENCH_SCEP_N ?? 200);
const PARALLEL = 8;
const run = promisify(execFile);
const keygen = promisify(generateKeyPair);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function makeKeys(dir: string, count: number): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < count; i += 8) {
    const batch = await Promise.all(Array.from({ length: Math.min(8, count - i) }, () => keygen('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })));
    for (const [j, k] of batch.entries()) {
      // scepclient caches its self-signed certificate beside the key: one folder per key.
      mkdirSync(join(dir, `k${i + j}`));
      const p = join(dir, `k${i + j}`, 'key.pem');
      writeFileSync(p, k.privateKey);
      paths.push(p);
    }
  }
  return paths;
}

/** CPU seconds (user + system) of a process from /proc: its own, and that of its reaped children. */
function cpuOf(pid: number | 'self'): { own: number; children: number } {
  // Fields after the ")" of the command name: utime is the 12th, stime 13th, cutime 14th, cstime 15th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const tick = 100; // USER_HZ on Linux
  const at = (i: number) => Number(fields[i]) / tick;
  return { own: at(11) + at(12), children: at(13) + at(14) };
}

interface RunResult {
  seconds: number;
  /** Sum over enrollments of scepclient's own time outside its HTTP round trips (its log's took=). */
  clientOnlySeconds: number;
  /** CPU seconds of the scepclient processes and of the server under test during the run. */
  clientCpu: number;
  serverCpu: number;
  ok: number;
  failed: number;
  duplicates: number;
  firstError: string | null;
}

/** Enrolls keys[i] with challenges[i], `parallel` at a time; reads the serials of what came back. */
async function enrollAll(url: string, dir: string, keys: string[], challenges: string[], parallel: number, serverPid: number | 'self'): Promise<RunResult> {
  let next = 0;
  const serials: string[] = [];
  let failed = 0;
  let firstError: string | null = null;
  let clientOnlyMs = 0;
  const cpu0 = { self: cpuOf('self'), server: cpuOf(serverPid) };
  const t = performance.now();
  const lane = async () => {
    while (next < keys.length) {
      const i = next++;
      const work = join(dir, `c${i}`);
      mkdirSync(work);
      const cert = join(work, 'c.pem');
      try {
        const started = performance.now();
        const { stderr } = await run('scepclient', ['-server-url', url, '-private-key', keys[i]!, '-certificate', cert, '-challenge', challenges[i]!, '-cn', `bench${i}`], { timeout: 60_000 });
        clientOnlyMs += performance.now() - started - roundTripsMs(stderr);
        serials.push(new X509Certificate(readFileSync(cert)).serialNumber);
      } catch (error) {
        failed++;
        firstError ??= String((error as { stderr?: string }).stderr ?? error).slice(-400);
        if (existsSync(cert)) serials.push(new X509Certificate(readFileSync(cert)).serialNumber);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  const cpu1 = { self: cpuOf('self'), server: cpuOf(serverPid) };
  const clientCpu = cpu1.self.children - cpu0.self.children;
  const serverCpu = cpu1.server.own - cpu0.server.own;
  return { seconds: (performance.now() - t) / 1000, clientOnlySeconds: clientOnlyMs / 1000, clientCpu, serverCpu, ok: serials.length, failed, duplicates: serials.length - new Set(serials).size, firstError };
}

/** Sum of the `took=` durations scepclient logs per HTTP request (Go duration syntax). */
function roundTripsMs(log: string): number {
  const unit: Record<string, number> = { ns: 1e-6, 'µs': 1e-3, us: 1e-3, ms: 1, s: 1000 };
  let total = 0;
  for (const m of log.matchAll(/took=([\d.]+)(ns|µs|us|ms|s)\b/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}

async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

const line = (name: string, r: RunResult) =>
  `${name.padEnd(34)} ${(N / r.seconds).toFixed(1).padStart(6)} enrollments/s  (${r.seconds.toFixed(1)} s, ok ${r.ok}, failures ${r.failed}, duplicate serials ${r.duplicates})${r.firstError ? `\n    first failure: ${r.firstError}` : ''}`;

/** Runs the four SCEP runs and prints rates and ratios. */
export async function benchScep(print: (line: string) => void): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'bench-scep-'));
  let reference: ChildProcess | undefined;
  try {
    const keys = await makeKeys(root, 2 * N);
    const seqKeys = keys.slice(0, N);
    const parKeys = keys.slice(N);

    // This server, in its own process like scepserver: run in this process, every scepclient
    // spawn (a fork of this large process, milliseconds of main-thread work) would stall its
    // event loop, and its CPU time could not be told apart from the driver's.
    const env = { DATA_DIR: join(root, 'ours'), PORT: String(await freePort()), HOST: '127.0.0.1', SCEP_ALLOW_LEGACY_DES: '1', CA_KEY_ALGORITHM: 'RSA-3072', WORKER: 'off', LOG_LEVEL: 'silent' };
    const ours = spawn(process.execPath, [fileURLToPath(new URL('../bin/smime-portal.js', import.meta.url)), 'serve'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const oursUrl = `http://127.0.0.1:${env.PORT}/scep`;
    const challenges: string[] = [];
    let oursSeq: RunResult;
    let oursPar: RunResult;
    try {
      await waitForHttp(`${oursUrl}?operation=GetCACaps`);
      const rt = await openRuntime(loadConfig(env));
      try {
        const ctx = rt.context('bench');
        for (let i = 0; i < 2 * N; i++) {
          const { user } = await rt.store.directory.upsertUser({ email: `bench${i}@example.org` }, new Date());
          challenges.push((await createScepChallenge(ctx, user, 120)).challenge);
        }
      } finally {
        await rt.close();
      }
      oursSeq = await enrollAll(oursUrl, mkdtempSync(join(root, 'os-')), seqKeys, challenges.slice(0, N), 1, ours.pid!);
      oursPar = await enrollAll(oursUrl, mkdtempSync(join(root, 'op-')), parKeys, challenges.slice(N), PARALLEL, ours.pid!);
    } finally {
      await new Promise((r) => {
        ours.once('exit', r);
        ours.kill('SIGTERM');
      });
    }

    // Debian's scepserver, same CA key size, one shared challenge.
    const depot = join(root, 'depot');
    execFileSync('scepserver', ['ca', '-init', '-depot', depot, '-keySize', '3072'], { stdio: 'ignore' });
    const port = await freePort();
    reference = spawn('scepserver', ['-depot', depot, '-port', String(port), '-challenge', 'bench-secret', '-allowrenew', '0'], { stdio: 'ignore' });
    const refUrl = `http://127.0.0.1:${port}/scep`;
    await waitForHttp(`${refUrl}?operation=GetCACaps`);
    const shared = Array.from({ length: N }, () => 'bench-secret');
    // scepclient also caches csr.pem (with our server's challenge) beside the key.
    for (const k of keys) for (const f of ['self.pem', 'csr.pem']) rmSync(join(k, '..', f), { force: true });
    const refSeq = await enrollAll(refUrl, mkdtempSync(join(root, 'rs-')), seqKeys, shared, 1, reference.pid!);
    const refPar = await enrollAll(refUrl, mkdtempSync(join(root, 'rp-')), parKeys, shared, PARALLEL, reference.pid!);

    print(line('smime-portal, sequential', oursSeq));
    print(line(`smime-portal, ${PARALLEL}-way parallel`, oursPar));
    print(line('Debian scepserver, sequential', refSeq));
    print(line(`Debian scepserver, ${PARALLEL}-way parallel`, refPar));
    // What no server can remove: scepclient's own work (start-up, keys, CSR, envelope, exit)
    // outside its HTTP round trips. With a server answering in zero time, a sequential run
    // would still take this long; it caps the sequential ratio any server can reach.
    const floor = oursSeq.clientOnlySeconds / N;
    print(`scepclient's own time outside HTTP: ${(1000 * floor).toFixed(1)} ms/enrollment (ours seq) vs ${((1000 * refSeq.clientOnlySeconds) / N).toFixed(1)} ms (scepserver seq); server time per enrollment: ours ${((1000 * oursSeq.seconds) / N - 1000 * floor).toFixed(1)} ms, scepserver ${((1000 * (refSeq.seconds - refSeq.clientOnlySeconds)) / N).toFixed(1)} ms`);
    print(`ceiling for any server against scepserver, sequential: ${(refSeq.seconds / oursSeq.clientOnlySeconds).toFixed(2)}× (the client floor alone)`);
    // On a machine where the clients and the server share the CPUs, a parallel run cannot beat
    // (client CPU + their server CPU) / (client CPU + our server CPU) either.
    const perEnrollment = (cpu: number) => ((1000 * cpu) / N).toFixed(1);
    print(`CPU per enrollment (8-way): scepclient ${perEnrollment(oursPar.clientCpu)} ms, our server ${perEnrollment(oursPar.serverCpu)} ms scepserver ${perEnrollment(refPar.serverCpu)} ms; CPU-bound ceiling ${((refPar.clientCpu + refPar.serverCpu) / refPar.clientCpu).toFixed(2)}× for a zero-cost server`);
    print(`ratio ours/scepserver: sequential ${(refSeq.seconds / oursSeq.seconds).toFixed(2)}×, ${PARALLEL}-way ${(refPar.seconds / oursPar.seconds).toFixed(2)}× (goal ≥ 2×, zero failures, zero duplicates)`);
  } finally {
    reference?.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchScep((l) => console.log(l));
