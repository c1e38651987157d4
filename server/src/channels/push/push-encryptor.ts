/**
 * Where push payloads are encrypted. Encryption (a fresh ECDH key pair and agreement per message,
 * RFC 8291) is most of a push's CPU; on the sending thread it competes with the queue's SQL and
 * the network. With threads, web-push's request builder runs in worker threads
 * (encrypt-thread.js) beside the event loop, so a worker process sends as fast as its encryption
 * threads encrypt while the event loop does everything else. Requests started in one event-loop
 * turn travel to a thread as one message. Without threads (a one-core machine), it runs inline.
 */
import { Worker } from 'node:worker_threads';
import { type PushRequest, type PushRequestInput, type RequestDetails, type RequestDetailsArgs, buildPushRequest, buildRequestDetails, requestDetailsArgs, toPushRequest } from './build-push-request.ts';

export interface PushEncryptor {
  /** The request for one push; rejects with web-push's Error if the subscription keys are malformed. */
  encrypt(input: PushRequestInput): Promise<PushRequest>;
  /** Whether the threads are about to run out of work (less than a few batches queued each). */
  starving(): boolean;
  /** Ends the threads; pending requests are finished inline. */
  close(): Promise<void>;
}

export interface PushEncryptorOptions {
  /** Encryption threads; 0 encrypts on the calling thread. */
  threads: number;
  /** Told when a thread fails (its requests are then encrypted inline). */
  onThreadError?: (error: Error) => void;
  /** The thread's module; tests substitute one that fails. Default encrypt-thread.js. */
  threadFile?: URL;
}

/** A thread's answer to one entry of a batch. */
type Answer = RequestDetails | { error: string };

interface Pending {
  args: RequestDetailsArgs;
  resolve: (request: PushRequest) => void;
  reject: (error: Error) => void;
}

interface Lane {
  worker: Worker;
  /** Batches sent and not yet answered, in order (a thread answers in order). */
  batches: Pending[][];
  inFlight: number;
}

/** Requests queued to a thread below which it is about to run dry (~ two event-loop turns of sends). */
const STARVING_BELOW = 32;

const THREAD_FILE = new URL('./encrypt-thread.js', import.meta.url);

function settle(p: Pending, answer: Answer): void {
  if ('error' in answer) p.reject(new Error(answer.error));
  else p.resolve(toPushRequest(answer));
}

function inline(p: Pending): void {
  try {
    p.resolve(toPushRequest(buildRequestDetails(p.args)));
  } catch (error) {
    p.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

export function createPushEncryptor(options: PushEncryptorOptions): PushEncryptor {
  if (options.threads <= 0) {
    return {
      encrypt: async (input) => buildPushRequest(input),
      starving: () => false,
      close: async () => undefined,
    };
  }
  let lanes: Lane[] = [];
  let waiting: Pending[] = [];
  let flushQueued = false;
  let closed = false;

  function drop(lane: Lane, error: Error | null): void {
    if (!lanes.includes(lane)) return;
    lanes = lanes.filter((l) => l !== lane);
    if (error) options.onThreadError?.(error);
    // Nothing is lost: what the thread held is encrypted here.
    for (const batch of lane.batches.splice(0)) for (const p of batch) inline(p);
  }

  function spawn(): Lane {
    const worker = new Worker(options.threadFile ?? THREAD_FILE);
    worker.unref();
    const lane: Lane = { worker, batches: [], inFlight: 0 };
    worker.on('message', (answers: Answer[]) => {
      const batch = lane.batches.shift() ?? [];
      lane.inFlight -= batch.length;
      for (const [i, p] of batch.entries()) {
        const answer = answers[i];
        if (answer) settle(p, answer);
        else inline(p);
      }
    });
    worker.on('error', (error) => drop(lane, error));
    worker.on('exit', (code) => drop(lane, closed ? null : new Error(`push encryption thread exited with code ${code}`)));
    return lane;
  }

  function flush(): void {
    flushQueued = false;
    const batch = waiting;
    waiting = [];
    if (batch.length === 0) return;
    const lane = lanes.reduce<Lane | undefined>((best, l) => (best && best.inFlight <= l.inFlight ? best : l), undefined);
    if (!lane) {
      for (const p of batch) inline(p);
      return;
    }
    lane.batches.push(batch);
    lane.inFlight += batch.length;
    lane.worker.postMessage(batch.map((p) => p.args));
  }

  for (let i = 0; i < options.threads; i += 1) lanes.push(spawn());

  return {
    encrypt(input) {
      return new Promise<PushRequest>((resolve, reject) => {
        waiting.push({ args: requestDetailsArgs(input), resolve, reject });
        if (!flushQueued) {
          flushQueued = true;
          queueMicrotask(flush);
        }
      });
    },
    starving() {
      return lanes.some((l) => l.inFlight < STARVING_BELOW);
    },
    async close() {
      closed = true;
      await Promise.all(lanes.map((l) => l.worker.terminate()));
    },
  };
}
