import type { IncomingMessage } from 'node:http';
import { type Context, Hono } from 'hono';
import { createStoreScepService } from '../domain/ca/scep-binding.ts';
import { announceNewCertificates } from '../domain/credentials/announce.ts';
import type { ScepService } from '../pki/scep/scep-service.ts';
import { AppError } from '../errors.ts';
import type { AppDeps } from './app-env.ts';
import { issuerDepsOf } from './issuer-deps.ts';

/** SCEP messages are a few KiB; anything far larger is refused before it is read. */
export const MAX_SCEP_BODY = 64 * 1024;

/** Decodes the base64 `message` of a GET PKIOperation ('+' may arrive as a space when unescaped). */
function queryMessage(value: string | undefined): Uint8Array | null {
  if (!value) return null;
  const b64 = value.replace(/ /g, '+').replace(/\s/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return new Uint8Array(0);
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

const tooLarge = () => new AppError('payload_too_large', `SCEP messages above ${MAX_SCEP_BODY} bytes are refused`);

type NodeBindings = { incoming?: IncomingMessage } | undefined;

/**
 * The POST body, refused above MAX_SCEP_BODY (by Content-Length before reading, else while
 * reading). Under the Node server it is read from the IncomingMessage itself: going through
 * the web Request made a ReadableStream per PKIOperation.
 */
async function readBody(c: Context): Promise<Uint8Array> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && !c.req.header('transfer-encoding') && Number.parseInt(declared, 10) > MAX_SCEP_BODY) throw tooLarge();
  const incoming = (c.env as NodeBindings)?.incoming;
  if (incoming && typeof incoming.on === 'function' && !incoming.readableDidRead) return readIncoming(incoming);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = c.req.raw.body?.getReader();
  for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) {
    size += read.value.length;
    if (size > MAX_SCEP_BODY) throw tooLarge();
    chunks.push(read.value);
  }
  return new Uint8Array(Buffer.concat(chunks, size));
}

function readIncoming(incoming: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error: Error | null) => {
      incoming.off('data', onData).off('end', onEnd).off('error', done).off('close', onClose);
      if (error) reject(error);
      else resolve(new Uint8Array(Buffer.concat(chunks, size)));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_SCEP_BODY) {
        // Left unread, as Hono's bodyLimit did: the 413 still goes out.
        incoming.pause();
        done(tooLarge());
      } else chunks.push(chunk);
    };
    const onEnd = () => done(null);
    const onClose = () => done(new Error('the SCEP request body was cut off'));
    incoming.on('data', onData).on('end', onEnd).on('error', done).on('close', onClose);
  });
}

/**
 * SCEP (RFC 8894) at /scep: GetCACaps, GetCACert, PKIOperation over GET and POST. Failures the
 * protocol can express are signed CertRep FAILURE messages; malformed requests get 400 text.
 */
export function scepRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  let service: ScepService | undefined;
  const scep = () => {
    service ??= createStoreScepService(() => ({ store: deps.store, clock: deps.clock, actor: 'scep' }), issuerDepsOf(deps), {
      allowLegacyDes: deps.config.scepAllowLegacyDes,
      onIssued: (userId) => announceNewCertificates({ store: deps.store, clock: deps.clock, actor: 'scep' }, userId, (message, detail) => deps.logger?.warn(detail, message)),
      // Clients start with GetCACaps or GetCACert: the RA (made once, on first use) is prepared
      // from the first /scep request on, so enrollments do not wait for its key generation.
      onRaWarmupError: (error) => deps.logger?.warn({ error: (error as Error).message }, 'the SCEP RA could not be prepared; the next SCEP request retries'),
    });
    return service;
  };
  const answer = async (operation: string | undefined, message: Uint8Array | null) => {
    const reply = await scep().handle({ operation, message });
    const body = typeof reply.body === 'string' ? reply.body : new Uint8Array(reply.body);
    return new Response(body, { status: reply.status, headers: { 'content-type': reply.contentType } });
  };
  app.get('/scep', (c) => answer(c.req.query('operation'), queryMessage(c.req.query('message'))));
  app.post('/scep', async (c) => answer(c.req.query('operation'), await readBody(c)));
  return app;
}
