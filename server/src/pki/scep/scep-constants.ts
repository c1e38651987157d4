/**
 * SCEP (RFC 8894) identifiers, status codes and the failure type carried to a CertRep.
 */

/** Authenticated attribute OIDs (RFC 8894 §3.2.1). */
export const SCEP_OID = {
  messageType: '2.16.840.1.113733.1.9.2',
  pkiStatus: '2.16.840.1.113733.1.9.3',
  failInfo: '2.16.840.1.113733.1.9.4',
  senderNonce: '2.16.840.1.113733.1.9.5',
  recipientNonce: '2.16.840.1.113733.1.9.6',
  transactionId: '2.16.840.1.113733.1.9.7',
} as const;

export const CMS_OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  challengePassword: '1.2.840.113549.1.9.7',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
} as const;

export const MESSAGE_TYPE = {
  CertRep: 3,
  RenewalReq: 17,
  PKCSReq: 19,
  CertPoll: 20,
  GetCert: 21,
  GetCRL: 22,
} as const;

export const PKI_STATUS = { SUCCESS: 0, FAILURE: 2, PENDING: 3 } as const;

export const FAIL_INFO = {
  badAlg: 0,
  badMessageCheck: 1,
  badRequest: 2,
  badTime: 3,
  badCertId: 4,
} as const;
export type FailInfo = keyof typeof FAIL_INFO;

/** What a CertRep must echo: the request's transaction id and sender nonce. */
export interface ScepReplyContext {
  transactionId: string;
  senderNonce: Uint8Array;
}

/** A request that is well-formed enough to answer with a signed CertRep FAILURE. */
export class ScepFailure extends Error {
  readonly failInfo: FailInfo;
  readonly context: ScepReplyContext;

  constructor(failInfo: FailInfo, context: ScepReplyContext, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScepFailure';
    this.failInfo = failInfo;
    this.context = context;
  }
}

/** A body that is not a SCEP message at all: answered with HTTP 400 and plain text. */
export class ScepMalformedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScepMalformedError';
  }
}
