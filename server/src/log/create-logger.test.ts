import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loggablePath } from '../http/request-log.ts';
import { createLogger, scrub } from './create-logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ\n-----END PRIVATE KEY-----';

describe('createLogger', () => {
  it('redacts secret fields at the top level and one level down', () => {
    const { lines, logger } = capture();
    logger.info({ password: 'hunter2', body: { code: 'ENROLL-123', challenge: 'CH-9', email: 'a@b.io' }, req: { headers: { authorization: 'Bearer smp_abc' } } }, 'x');
    const line = lines.join('');
    for (const secret of ['hunter2', 'ENROLL-123', 'CH-9', 'smp_abc']) expect(line).not.toContain(secret);
    expect(line).toContain('a@b.io');
  });

  it('scrubs secrets hidden in messages and error text', () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error(`failed with smp_${'A'.repeat(43)} and ${PEM}`) }, 'import failed for code=XYZ987');
    const line = lines.join('');
    expect(line).not.toMatch(/smp_A{10}/);
    expect(line).not.toContain('MIIEvQIBADANBg');
    expect(line).not.toContain('XYZ987');
    expect(line).toContain('[redacted]');
  });

  it('scrub leaves ordinary text alone', () => {
    expect(scrub('user ann@example.com imported 3 certificates')).toBe('user ann@example.com imported 3 certificates');
  });

  it('redacts secret query values in logged paths', () => {
    expect(loggablePath('http://h/enroll?code=SECRET&lang=en')).toBe('/enroll?code=[redacted]&lang=en');
    expect(loggablePath('http://h/scep?operation=PKIOperation&message=MIIB')).toBe('/scep?operation=PKIOperation&message=[redacted]');
    expect(loggablePath('http://h/api/health')).toBe('/api/health');
  });
});
