import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTrustAnchors } from './trust-anchors.ts';

const dir = mkdtempSync(join(tmpdir(), 'smime-anchors-'));
const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
const der = (name: string) => new Uint8Array(execFileSync('openssl', ['x509', '-in', join(dir, `${name}.pem`), '-outform', 'DER']));

/** A CA (`name`) self-signed, or signed by `issuer`, with OpenSSL. */
function makeCa(name: string, issuer: string | null, keyArgs: string[]) {
  ssl('req', '-new', '-newkey', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  const ext = join(dir, `${name}.ext`);
  execFileSync('sh', ['-c', `printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign,cRLSign\\n' > ${ext}`]);
  if (issuer) ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-set_serial', '7', '-days', '30', '-extfile', ext, '-out', `${name}.pem`);
  else ssl('x509', '-req', '-in', `${name}.csr`, '-signkey', `${name}.key`, '-days', '30', '-extfile', ext, '-out', `${name}.pem`);
}
function makeLeaf(name: string, issuer: string, keyArgs: string[], extra: string[] = []) {
  ssl('req', '-new', '-newkey', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-set_serial', '9', '-days', '30', ...extra, '-out', `${name}.pem`);
}

const rsa = ['rsa:2048'];
const ec = ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
makeCa('root', null, rsa);
makeCa('inter', 'root', ec);
makeCa('other', null, rsa);
makeLeaf('direct', 'root', rsa);
makeLeaf('viaInter', 'inter', rsa);
makeLeaf('stranger', 'other', rsa);
makeLeaf('pss', 'root', rsa, ['-sigopt', 'rsa_padding_mode:pss', '-sha256']);
// Same issuer NAME as root, but signed by another key: a name match alone must not pass.
ssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'fake-root.key', '-out', 'fake-root.csr', '-subj', '/CN=root');
ssl('x509', '-req', '-in', 'fake-root.csr', '-signkey', 'fake-root.key', '-days', '30', '-out', 'fake-root.pem');
makeLeaf('forged', 'fake-root', rsa);

describe('createTrustAnchors', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const anchors = createTrustAnchors([der('root')], { systemRoots: false });

  it('trusts a leaf signed by an anchor, and through an intermediate in the chain (EC issuer)', async () => {
    expect(await anchors.isTrusted(der('direct'), [])).toBe(true);
    expect(await anchors.isTrusted(der('viaInter'), [der('inter')])).toBe(true);
    expect(await anchors.isTrusted(der('root'), [])).toBe(true);
  });

  it('does not trust a missing intermediate, a stranger, or a forged issuer name', async () => {
    expect(await anchors.isTrusted(der('viaInter'), [])).toBe(false);
    expect(await anchors.isTrusted(der('stranger'), [der('other')])).toBe(false);
    expect(await anchors.isTrusted(der('forged'), [])).toBe(false);
    expect(await anchors.isTrusted(new Uint8Array([1, 2, 3]), [])).toBe(false);
  });

  it('takes the full path for signature algorithms the fast path does not read (RSA-PSS)', async () => {
    expect(await anchors.isTrusted(der('pss'), [])).toBe(true);
  });
});
