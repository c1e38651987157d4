/**
 * A scripted HTTP/2 peer for the client's tests: a raw TLS server speaking just enough HTTP/2 to
 * send what a real service (nghttp2) would not — padding, priority fields, CONTINUATION, 1xx,
 * malformed frames and header blocks, GOAWAY with a last stream id, silence — and to watch what
 * the client answers (SETTINGS ACK, PING ACK, RST_STREAM, GOAWAY, PING).
 */
import { once } from 'node:events';
import type net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, expect } from 'vitest';
import { Flag, FrameType, PREFACE } from '../h2-frames.ts';
import type { PushHttpResult } from '../push-http-client.ts';
import { createHttp2Pool, type Http2Pool } from '../push-http2.ts';
import { localhostCertificate } from './localhost-cert.ts';

export interface Frame {
  type: number;
  flags: number;
  id: number;
  payload: Buffer;
}

/** One client connection as the peer sees it. */
export class Conn {
  readonly frames: Frame[] = [];
  private seen = 0;
  private waiters: (() => void)[] = [];
  readonly ended: Promise<unknown>;

  constructor(readonly socket: tls.TLSSocket) {
    let data = Buffer.alloc(0);
    let prefaced = false;
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (!prefaced && data.length >= PREFACE.length) {
        expect(data.subarray(0, PREFACE.length)).toEqual(PREFACE);
        data = data.subarray(PREFACE.length);
        prefaced = true;
      }
      while (prefaced && data.length >= 9 && data.length >= 9 + data.readUIntBE(0, 3)) {
        const length = data.readUIntBE(0, 3);
        this.frames.push({ type: data[3]!, flags: data[4]!, id: data.readUInt32BE(5), payload: data.subarray(9, 9 + length) });
        data = data.subarray(9 + length);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('error', () => undefined);
    this.ended = once(socket, 'close');
  }

  send(type: number, flags: number, id: number, payload: Buffer | number[] = []): void {
    const body = Buffer.from(payload);
    const header = Buffer.alloc(9);
    header.writeUIntBE(body.length, 0, 3);
    header[3] = type;
    header[4] = flags;
    header.writeUInt32BE(id, 5);
    this.socket.write(Buffer.concat([header, body]));
  }

  /** The next frame (in arrival order, after those already returned) that matches. */
  async next(match: (frame: Frame) => boolean): Promise<Frame> {
    for (;;) {
      while (this.seen < this.frames.length) {
        const frame = this.frames[this.seen]!;
        this.seen += 1;
        if (match(frame)) return frame;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Waits until the client has answered a PING sent now: everything it sent before has arrived. */
  async barrier(): Promise<void> {
    const token = Buffer.from(String(Date.now()).padStart(8, '0').slice(-8));
    this.send(FrameType.PING, 0, 0, token);
    await this.next((f) => f.type === FrameType.PING && f.flags === Flag.ACK && f.payload.equals(token));
  }
}

export const is = (type: number, id?: number) => (frame: Frame) => frame.type === type && (id === undefined || frame.id === id);
/** A literal header field without indexing, new name (RFC 7541 §6.2.2), short strings only. */
export const lit = (name: string, value: string) => Buffer.concat([Buffer.from([0, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value)]);
export const u32 = (value: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
};
export const setting = (id: number, value: number) => Buffer.concat([Buffer.from([0, id]), u32(value)]);

export interface ScriptedPeer {
  /** `https://localhost:PORT` of the peer (valid once the file's beforeAll ran). */
  readonly base: string;
  /** Scripts the peer for the connections of one scenario (numbered from 0); a fresh pool connects anew. */
  scenario(script: (conn: Conn, index: number) => Promise<void> | void, timeoutMs?: number): Conn[];
  /** POSTs `body` to `path` through the current scenario's pool (headers: a TTL and a VAPID-like Authorization). */
  post(path: string, body?: string, headers?: Record<string, string>): Promise<PushHttpResult | 'http1'>;
}

/** Starts the peer before the file's tests and stops it (and its connections) after them. */
export function useScriptedPeer(): ScriptedPeer {
  let cert = '';
  let server: tls.Server;
  let base = '';
  let onConnection: (conn: Conn) => void = () => undefined;
  const connections: Conn[] = [];
  let pool: Http2Pool | undefined;

  beforeAll(async () => {
    const generated = localhostCertificate();
    cert = generated.cert;
    server = tls.createServer({ ...generated, ALPNProtocols: ['h2'] }, (socket) => {
      const conn = new Conn(socket);
      connections.push(conn);
      void onConnection(conn);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `https://localhost:${(server.address() as net.AddressInfo).port}`;
  });

  afterAll(() => {
    pool?.close();
    for (const conn of connections) conn.socket.destroy();
    server?.close();
  });

  return {
    get base() {
      return base;
    },
    scenario(script, timeoutMs = 3000) {
      pool?.close();
      pool = createHttp2Pool({ tls: { ca: cert }, timeoutMs });
      const mine: Conn[] = [];
      onConnection = (conn) => {
        mine.push(conn);
        void script(conn, mine.length - 1);
      };
      return mine;
    },
    post(path, body = 'x', headers = { TTL: '60', Authorization: 'vapid t=secret' }) {
      if (!pool) throw new Error('post() before scenario()');
      return pool.post(new URL(`${base}${path}`), { url: `${base}${path}`, method: 'POST', headers, body: Buffer.from(body) });
    },
  };
}
