/** Loopback peers for the campaign benchmark: a push receiver and an SMTP sink. */
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Sink {
  base: string;
  count(): number;
  firstAt(): number | null;
  close(): Promise<void>;
}

/** Answers every push with 201, keep-alive, counting requests. */
export async function pushReceiver(): Promise<Sink> {
  let n = 0;
  let first: number | null = null;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n += 1;
      first ??= performance.now();
      res.writeHead(201, { 'content-length': '0' }).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.maxRequestsPerSocket = 0;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    base: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    count: () => n,
    firstAt: () => first,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Accepts every message and discards it. */
export async function smtpSink(): Promise<Sink> {
  let n = 0;
  let first: number | null = null;
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      stream.resume();
      stream.on('end', () => {
        n += 1;
        first ??= performance.now();
        cb();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return {
    base: `smtp://127.0.0.1:${(server.server.address() as net.AddressInfo).port}`,
    count: () => n,
    firstAt: () => first,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
