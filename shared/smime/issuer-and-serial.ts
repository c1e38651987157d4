import * as asn1js from 'asn1js';
import { children, decodeAsn1, isTag } from '../pki/der.ts';
import { seq } from './der-write.ts';
import { SmimeError } from './smime-error.ts';

/**
 * The IssuerAndSerialNumber of a certificate (RFC 5652), from the exact DER of its issuer Name and
 * serial INTEGER, for recipient and signer identifiers. `role` names the certificate in the error.
 */
export function issuerAndSerial(certDer: Uint8Array, role: 'recipient' | 'signer'): Uint8Array {
  try {
    const tbs = children(children(decodeAsn1(certDer, 'der_invalid', 'bad certificate'), 'certificate')[0], 'tbs');
    const s = isTag(tbs[0], 3, 0) ? 1 : 0;
    const serial = tbs[s];
    const issuer = tbs[s + 2];
    if (!(serial instanceof asn1js.Integer) || !issuer) throw new Error('no serial or issuer');
    return seq(issuer.valueBeforeDecodeView, serial.valueBeforeDecodeView);
  } catch (cause) {
    throw new SmimeError('smime_bad_input', `The ${role} certificate is not a valid X.509 certificate.`, { cause });
  }
}
