/** A device's key pair as the PWA makes it (WebCrypto P-256), for server-side tests. */
export interface TestDeviceKeys {
  identity: CryptoKeyPair;
  transport: CryptoKeyPair;
  identityKey: string;
  transportKey: string;
}

const spki = async (key: CryptoKey) => Buffer.from(await crypto.subtle.exportKey('spki', key)).toString('base64');

export async function makeDeviceKeys(): Promise<TestDeviceKeys> {
  const identity = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const transport = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits'])) as CryptoKeyPair;
  return { identity, transport, identityKey: await spki(identity.publicKey), transportKey: await spki(transport.publicKey) };
}

/** Signs the session challenge as the PWA does; base64url of the P1363 signature. */
export async function signChallenge(keys: TestDeviceKeys, deviceId: string, nonce: string): Promise<string> {
  const data = new TextEncoder().encode(`smime-portal-device-session:v1:${deviceId}:${nonce}`);
  const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.identity.privateKey, data);
  return Buffer.from(sig).toString('base64url');
}
