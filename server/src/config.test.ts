import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.database.kind).toBe('sqlite');
    expect(c.publicUrl).toBe('http://127.0.0.1:8080');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('switches to PostgreSQL with DATABASE_URL', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://localhost/test' });
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgres://localhost/test' });
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SCEP_ALLOW_LEGACY_DES: 'maybe' });
      expect.unreachable('loadConfig accepted a bad environment');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^PORT: /m);
      expect(problems).toMatch(/^DATABASE_URL: /m);
      expect(problems).toMatch(/^SCEP_ALLOW_LEGACY_DES: /m);
    }
  });

  it('treats empty values as unset and trims a trailing slash from PUBLIC_URL', () => {
    const c = loadConfig({ PORT: '', PUBLIC_URL: 'https://portal.example.com/' });
    expect(c.port).toBe(8080);
    expect(c.publicUrl).toBe('https://portal.example.com');
  });

  it('keeps an SMTP connection for 1000 messages unless SMTP_MAX_MESSAGES says otherwise', () => {
    expect(loadConfig({}).smtpMaxMessages).toBe(1000);
    expect(loadConfig({ SMTP_MAX_MESSAGES: '20' }).smtpMaxMessages).toBe(20);
    expect(() => loadConfig({ SMTP_MAX_MESSAGES: '0' })).toThrow(/SMTP_MAX_MESSAGES: /);
  });

  it('encrypts pushes on one thread per core beyond the first (at most 4) unless PUSH_ENCRYPTION_THREADS says otherwise', () => {
    expect(loadConfig({}).campaigns.pushEncryptionThreads).toBe(Math.min(4, availableParallelism() - 1));
    expect(loadConfig({ PUSH_ENCRYPTION_THREADS: '0' }).campaigns.pushEncryptionThreads).toBe(0);
    expect(loadConfig({ PUSH_ENCRYPTION_THREADS: '3' }).campaigns.pushEncryptionThreads).toBe(3);
    expect(() => loadConfig({ PUSH_ENCRYPTION_THREADS: 'two' })).toThrow(/PUSH_ENCRYPTION_THREADS: must be a whole number/);
    expect(() => loadConfig({ PUSH_ENCRYPTION_THREADS: '65' })).toThrow(/PUSH_ENCRYPTION_THREADS: /);
  });
});
