/**
 * Local push services for the HTTP/2 push suites: an h2-only and an HTTP/1.1-only TLS service
 * (self-signed localhost certificate) that record what they receive, a push channel trusting
 * them, subscriptions whose keys are kept so tests can decrypt what arrived, and one-off
 * node:http2 services with their own settings. `usePushServices()` starts and stops them around
 * a test file; the bindings below are filled in by then.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http2 from 'node:http2';
import https from 'node:https';
import type net from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { PushRequest } from '../../server/src/channels/push/build-push-request.ts';
import { createPushChannel } from '../../server/src/channels/push/push-channel.ts';
import type { PushHttpResult } from '../../server/src/channels/push/push-http-client.ts';
import { localhostCertificate } from '../../server/src/channels/push/testing/localhost-cert.ts';
import { createVapidSigner, generateVapidKeys } from '../../server/src/channels/push/vapid.ts';
import type { Channel, Clock, Notice, PushSubscriptionRecord } from '../../server/src/ports.ts';

export const clock: Clock = { now: () => new Date('2030-01-01T00:00:00Z') };
export interface Seen {
  path: string;
  version: string;
  headers: Record<string, unknown>;
  body: Buffer;
}
export const seen: Seen[] = [];
/** h2 sessions and HTTP/1.1 connections the two services have accepted. */
export let sessions = 0;
export let h1Connections = 0;
export let key: string;
export let cert: string;
let h2Server: http2.Http2SecureServer;
let h1Server: https.Server;
export let h2Base: string;
export let h1Base: string;
/** The push channel under test: VAPID signer, 500 ms timeout, trusting the services' certificate. */
export let channel: Channel;
export const keysByDevice = new Map<string, ReturnType<typeof createECDH>>();
export const authByDevice = new Map<string, Buffer>();

function answer(path: string, respond: (status: number, headers?: Record<string, string>, text?: string) => void): void {
  if (path.endsWith('/ok')) respond(201);
  else if (path.endsWith('/410')) respond(410, {}, 'gone');
  else if (path.endsWith('/429')) respond(429, { 'retry-after': '9' }, 'slow down');
  else if (path.endsWith('/goaway')) respond(201);
  else if (!path.endsWith('/hang')) respond(418);
}

export function subscription(deviceId: string, base: string, path: string): PushSubscriptionRecord {
  const ua = createECDH('prime256v1');
  ua.generateKeys();
  const auth = randomBytes(16);
  keysByDevice.set(deviceId, ua);
  authByDevice.set(deviceId, auth);
  return { deviceId, endpoint: `${base}/push/${deviceId}${path}`, p256dh: ua.getPublicKey().toString('base64url'), auth: auth.toString('base64url') };
}

export function notice(subscriptions: PushSubscriptionRecord[]): Notice {
  return {
    recipientId: 'r-1',
    kind: 'newCertificates',
    user: { email: null, displayName: null, locale: 'en' },
    url: 'https://portal.example.com/smime/retrieve?r=r-1',
    topic: 'smime-certificates',
    subscriptions,
  };
}

/** Starts the services and the channel before the file's tests, and stops them after. */
export function usePushServices(): void {
  beforeAll(startServices);
  afterAll(stopServices);
}

async function startServices(): Promise<void> {
  ({ key, cert } = localhostCertificate());

  // An h2-only service (no HTTP/1.1 fallback): anything that is not HTTP/2 fails here.
  h2Server = http2.createSecureServer({ key, cert });
  h2Server.on('session', () => {
    sessions += 1;
  });
  h2Server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const path = String(headers[':path']);
      seen.push({ path, version: '2.0', headers, body: Buffer.concat(chunks) });
      answer(path, (status, extra = {}, text = '') => {
        stream.respond({ ':status': status, ...extra });
        stream.end(text);
      });
      if (path.endsWith('/goaway')) stream.session?.goaway();
    });
  });
  h2Server.listen(0, '127.0.0.1');
  await once(h2Server, 'listening');
  h2Base = `https://localhost:${(h2Server.address() as net.AddressInfo).port}`;

  h1Server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', version: req.httpVersion, headers: req.headers, body: Buffer.concat(chunks) });
      answer(req.url ?? '', (status, extra = {}, text = '') => res.writeHead(status, extra).end(text));
    });
  });
  h1Server.on('connection', () => {
    h1Connections += 1;
  });
  h1Server.listen(0, '127.0.0.1');
  await once(h1Server, 'listening');
  h1Base = `https://localhost:${(h1Server.address() as net.AddressInfo).port}`;

  const vapid = createVapidSigner({ ...generateVapidKeys(), subject: 'mailto:it@example.com', clock });
  channel = createPushChannel({ vapid, timeoutMs: 500, ttlSeconds: 3600, allowInsecureEndpoints: false, httpAgentOptions: { ca: cert }, clock });
}

async function stopServices(): Promise<void> {
  await channel.close();
  h2Server.close();
  h1Server.closeAllConnections();
  h1Server.close();
}

/** A one-off h2-only push service (its own settings): `onStream` gets each request once its body has arrived. */
export async function h2Service(settings: http2.Settings, onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void) {
  const server = http2.createSecureServer({ key, cert, settings });
  const sessionsSeen: http2.ServerHttp2Session[] = [];
  server.on('session', (session) => sessionsSeen.push(session));
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    // Resets (ours on timeout, the service's own REFUSED_STREAM) surface as stream errors here.
    stream.on('error', () => undefined);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => onStream(stream, headers, Buffer.concat(chunks)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    base: `https://localhost:${(server.address() as net.AddressInfo).port}`,
    sessions: sessionsSeen,
    close: () => {
      for (const session of sessionsSeen) session.destroy();
      server.close();
    },
  };
}

export function pushRequest(url: string, body: Buffer, headers: Record<string, string> = {}): PushRequest {
  return { url, method: 'POST', headers: { TTL: '60', 'Content-Type': 'application/octet-stream', ...headers }, body };
}

export function response(result: PushHttpResult | 'http1') {
  if (result === 'http1' || result.kind !== 'response') throw new Error(`expected a response, got ${JSON.stringify(result)}`);
  return result;
}
