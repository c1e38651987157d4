/**
 * The session against node:http2 (nghttp2) as the peer: response headers encoded by Node's HPACK
 * encoder — Huffman strings, a dynamic table that evicts across responses, repeated names — come
 * back exactly as node:http2's own client reports them; a session that uses up its stream ids
 * retires and closes once its streams are done.
 */
import { once } from 'node:events';
import http2 from 'node:http2';
import type net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { H2Session } from './h2-session.ts';
import { createHttp2Pool } from './push-http2.ts';
import { localhostCertificate } from './testing/localhost-cert.ts';

let cert: string;
let server: http2.Http2SecureServer;
let base: string;
let port: number;
const closedSessions: Promise<unknown>[] = [];

/** Response k: long and short values, repeated names, cookies — different each time so Node's table churns. */
function headersFor(k: number): http2.OutgoingHttpHeaders {
  return {
    ':status': [200, 201, 202, 203, 400, 500][k % 6],
    'x-long': `${'abcdefghij'.repeat(30 + (k % 17) * 20)}-${k}`,
    'x-short': `s${k % 3}`,
    'x-same': 'always the same value',
    'set-cookie': [`id=${k}; Path=/; HttpOnly`, `theme=${k % 2 ? 'dark' : 'light'}; Max-Age=3600`],
    'x-list': ['a', `b${k}`, 'c'],
    'cache-control': k % 2 ? 'private, max-age=0' : 'no-store',
    'retry-after': String(k * 7),
    'content-type': 'application/json; charset=utf-8',
    link: `<https://push.example.com/${'p'.repeat(k % 50)}>; rel="next"`,
    'x-quote': `"${k}" ; = , ~ ! \\ {}`,
  };
}

beforeAll(async () => {
  const generated = localhostCertificate();
  cert = generated.cert;
  server = http2.createSecureServer(generated);
  server.on('session', (session) => closedSessions.push(once(session, 'close')));
  server.on('stream', (stream, headers) => {
    stream.resume();
    stream.on('end', () => {
      const k = Number(String(headers[':path']).split('/')[2]);
      stream.respond(headersFor(k));
      stream.end(`response ${k}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as net.AddressInfo).port;
  base = `https://localhost:${port}`;
});

afterAll(() => {
  server.close();
});

describe('H2Session against node:http2', () => {
  it("decodes Node's HPACK output exactly, across responses that make its dynamic table evict", async () => {
    const oracle = http2.connect(base, { ca: cert });
    const pool = createHttp2Pool({ tls: { ca: cert }, timeoutMs: 5000 });
    for (let k = 0; k < 60; k += 1) {
      const url = `${base}/r/${k}`;
      const expected = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        const stream = oracle.request({ ':method': 'POST', ':path': `/r/${k}` });
        stream.on('response', (headers) => {
          stream.resume();
          resolve(headers);
        });
        stream.on('error', reject);
        stream.end('x');
      });
      // Plain own properties only: Node adds a symbol-keyed list of sensitive headers.
      const { ':status': status, date: _oracleDate, ...rest } = Object.fromEntries(Object.entries(expected));
      const result = await pool.post(new URL(url), { url, method: 'POST', headers: {}, body: Buffer.from('x') });
      if (result === 'http1' || result.kind !== 'response') throw new Error(JSON.stringify(result));
      const { date, ...ours } = result.headers;
      expect(result.status).toBe(status);
      expect(ours).toEqual(rest);
      expect(ours['x-list']).toBe(`a, b${k}, c`);
      expect(date).toMatch(/GMT$/);
      expect(result.text).toBe(`response ${k}`);
    }
    oracle.close();
    pool.close();
  });

  it('retires after its last stream id: open streams finish, later requests come back unsent, the socket closes', async () => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: cert, ALPNProtocols: ['h2'] });
    await once(socket, 'secureConnect');
    let retired = 0;
    const session = new H2Session({ socket, timeoutMs: 5000, idleMs: 60_000, maxStreamId: 5, onRetire: () => (retired += 1) });
    const fields = (k: number) => [':method', 'POST', ':scheme', 'https', ':authority', `localhost:${port}`, ':path', `/r/${k}`];
    expect(await session.request(fields(1), Buffer.from('x'), 5000)).toMatchObject({ kind: 'response', status: 201 });
    // Ids 3 and 5 are the last ones: the session retires as it opens the second of these and
    // hands later requests back unsent (the pool sends them on a new session).
    const answers = [2, 3, 4].map((k) => session.request(fields(k), Buffer.from('x'), 5000));
    expect(session.usable).toBe(false);
    expect(retired).toBe(1);
    expect(await Promise.all(answers)).toEqual([
      expect.objectContaining({ kind: 'response', status: 202 }),
      expect.objectContaining({ kind: 'response', status: 203 }),
      { kind: 'unsent', reason: 'HTTP/2 session closing' },
    ]);
    await once(socket, 'close');
    expect(retired).toBe(1);
  });
});
