import { Hono } from 'hono';
import { derToPem } from '../../../shared/pki/certificate-info.ts';
import type { AppDeps } from './app-env.ts';
import { issuerDepsOf } from './issuer-deps.ts';

/**
 * The organisation's root for devices and mail clients to install: `/ca.crt` (DER, what iOS,
 * Android and Windows open from a download) and `/ca.pem` (PEM, for OpenSSL and Thunderbird).
 * Public by nature: a trust anchor is not a secret.
 */
export function caCertRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const headers = { 'cache-control': 'public, max-age=3600', 'content-disposition': 'attachment; filename="smime-portal-ca' };
  app.get('/ca.crt', () => {
    const der = issuerDepsOf(deps).ca.record.certificateDer;
    return new Response(new Uint8Array(der), { headers: { ...headers, 'content-type': 'application/pkix-cert', 'content-disposition': `${headers['content-disposition']}.crt"` } });
  });
  app.get('/ca.pem', () => {
    const pem = derToPem(issuerDepsOf(deps).ca.record.certificateDer, 'CERTIFICATE');
    return new Response(pem, { headers: { ...headers, 'content-type': 'application/x-pem-file', 'content-disposition': `${headers['content-disposition']}.pem"` } });
  });
  return app;
}
