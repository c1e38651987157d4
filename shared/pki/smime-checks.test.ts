import { describe, expect, it } from 'vitest';
import type { CertificateInfo, KeyUsageFlags } from './certificate-info.ts';
import { checkSmimeCertificate } from './smime-checks.ts';

const NO_KU: KeyUsageFlags = {
  digitalSignature: false,
  nonRepudiation: false,
  keyEncipherment: false,
  dataEncipherment: false,
  keyAgreement: false,
  keyCertSign: false,
  cRLSign: false,
};

function info(overrides: Partial<CertificateInfo> = {}): CertificateInfo {
  return {
    subject: 'CN=Alice',
    subjectCommonName: 'Alice',
    issuer: 'CN=CA',
    serialHex: '01',
    notBefore: new Date('2024-01-01T00:00:00Z'),
    notAfter: new Date('2026-01-01T00:00:00Z'),
    sha1: '',
    sha256: '',
    emails: ['alice@example.com'],
    keyUsage: { ...NO_KU, digitalSignature: true, keyEncipherment: true },
    extKeyUsage: ['1.3.6.1.5.5.7.3.4'],
    keyAlgorithm: 'RSA-2048',
    spkiDer: new Uint8Array(0),
    subjectKeyIdentifier: null,
    authorityKeyIdentifier: null,
    isCa: false,
    ...overrides,
  };
}

const NOW = new Date('2025-06-01T00:00:00Z');
const codes = (r: { code: string }[]) => r.map((x) => x.code);

describe('checkSmimeCertificate', () => {
  it('accepts a good certificate for both purposes, e-mail case-insensitively', () => {
    for (const purpose of ['smimeSigning', 'smimeEncryption'] as const) {
      expect(checkSmimeCertificate(info(), { purpose, email: 'Alice@Example.COM', now: NOW })).toEqual({ errors: [], warnings: [] });
    }
  });

  it('rejects a certificate for another user', () => {
    const r = checkSmimeCertificate(info(), { purpose: 'smimeSigning', email: 'bob@example.com', now: NOW });
    expect(codes(r.errors)).toEqual(['not_for_user']);
    expect(r.errors[0]!.message).toContain('alice@example.com');
  });

  it('rejects an EKU without emailProtection but allows an absent EKU', () => {
    const bad = checkSmimeCertificate(info({ extKeyUsage: ['1.3.6.1.5.5.7.3.2'] }), { purpose: 'smimeSigning', email: 'alice@example.com', now: NOW });
    expect(codes(bad.errors)).toEqual(['wrong_purpose_eku']);
    const none = checkSmimeCertificate(info({ extKeyUsage: null }), { purpose: 'smimeSigning', email: 'alice@example.com', now: NOW });
    expect(none.errors).toEqual([]);
  });

  it('checks key usage per purpose; an absent key usage allows all', () => {
    const signOnly = info({ keyUsage: { ...NO_KU, nonRepudiation: true } });
    const opts = { email: 'alice@example.com', now: NOW };
    expect(checkSmimeCertificate(signOnly, { ...opts, purpose: 'smimeSigning' }).errors).toEqual([]);
    expect(codes(checkSmimeCertificate(signOnly, { ...opts, purpose: 'smimeEncryption' }).errors)).toEqual(['wrong_purpose_key_usage']);
    const ecdh = info({ keyUsage: { ...NO_KU, keyAgreement: true } });
    expect(checkSmimeCertificate(ecdh, { ...opts, purpose: 'smimeEncryption' }).errors).toEqual([]);
    expect(codes(checkSmimeCertificate(ecdh, { ...opts, purpose: 'smimeSigning' }).errors)).toEqual(['wrong_purpose_key_usage']);
    expect(checkSmimeCertificate(info({ keyUsage: null }), { ...opts, purpose: 'smimeEncryption' }).errors).toEqual([]);
  });

  it('expired: an error for signing, a warning for encryption history', () => {
    const later = new Date('2027-01-01T00:00:00Z');
    const sign = checkSmimeCertificate(info(), { purpose: 'smimeSigning', email: 'alice@example.com', now: later });
    expect(codes(sign.errors)).toEqual(['expired']);
    const enc = checkSmimeCertificate(info(), { purpose: 'smimeEncryption', email: 'alice@example.com', now: later });
    expect(enc.errors).toEqual([]);
    expect(codes(enc.warnings)).toEqual(['expired']);
  });

  it('not yet valid is a warning', () => {
    const r = checkSmimeCertificate(info(), { purpose: 'smimeSigning', email: 'alice@example.com', now: new Date('2023-01-01T00:00:00Z') });
    expect(r.errors).toEqual([]);
    expect(codes(r.warnings)).toEqual(['not_yet_valid']);
  });
});
