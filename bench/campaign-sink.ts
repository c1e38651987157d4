/**
 * A loopback sink run as its own process (`node --import tsx bench/campaign-sink.ts push|smtp
 * [KEY.pem CERT.pem]`; with the PEM files the push receiver speaks HTTPS — HTTP/2 with HTTP/1.1
 * for clients that do not offer h2 — as push services do),
 * so the benchmark measures the sender's work rather than sharing its cores with the receiver.
 * Talks to the parent over IPC: it sends `{ port }` once listening and answers `'stats'` with
 * `{ count, firstAt }` (first receipt as epoch ms, comparable across processes).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import { SMTPServer } from 'smtp-server';

let count = 0;
let firstAt: number | null = null;
const received = () => {
  count += 1;
  firstAt ??= performance.timeOrigin + performance.now();
};

function listening(server: net.Server): void {
  server.on('listening', () => process.send?.({ port: (server.address() as net.AddressInfo).port }));
}

if (process.argv[2] === 'smtp') {
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      stream.resume();
      stream.on('end', () => {
        received();
        cb();
      });
    },
  });
  listening(server.server);
  server.listen(0, '127.0.0.1');
} else {
  // Answers every push with 201 and keeps the connection open, like a push service.
  const handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    req.resume();
    req.on('end', () => {
      received();
      res.writeHead(201, { 'content-length': '0' });
      res.end();
    });
  };
  const [keyFile, certFile] = process.argv.slice(3);
  if (keyFile && certFile) {
    const server = http2.createSecureServer({ key: readFileSync(keyFile), cert: readFileSync(certFile), allowHTTP1: true, settings: { maxConcurrentStreams: 1000 } }, handler);
    listening(server);
    server.listen(0, '127.0.0.1');
  } else {
    const server = http.createServer(handler);
    server.keepAliveTimeout = 60_000;
    server.maxRequestsPerSocket = 0;
    listening(server);
    server.listen(0, '127.0.0.1');
  }
}

process.on('message', (message) => {
  if (message === 'stats') {
    const cpu = process.cpuUsage();
    process.send?.({ count, firstAt, cpuUs: cpu.user + cpu.system });
  }
});
process.on('disconnect', () => process.exit(0));
