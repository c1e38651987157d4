/**
 * The SCEP endpoint logic (RFC 8894), independent of any HTTP framework: the HTTP layer passes
 * the operation and the message bytes, and writes back status, content type and body.
 */
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { isAppError } from '../../errors.ts';
import type { CaSigner } from '../ca.ts';
import { checkSubjectKey } from '../issue-certificate.ts';
import { createAsyncMutex } from './async-mutex.ts';
import { buildCaCaps } from './caps.ts';
import { buildCertRep, type CertRepOutcome, degenerateSignedData } from './cert-rep.ts';
import { type PkiMessage, parsePkiMessage, type ScepCsr } from './pki-message.ts';
import { type RecipientKey, recipientKeyOf, type ScepRa } from './ra-certificate.ts';
import { type FailInfo, MESSAGE_TYPE, ScepFailure, ScepMalformedError } from './scep-constants.ts';

export interface ScepIdentity {
  email: string;
  displayName?: string | null | undefined;
}

/** The RA certificates of the service: one signs, all of them (while valid) decrypt. */
export interface ScepRaKeys {
  /** Signs every CertRep; GetCACert hands it out with the CA certificate. */
  current: ScepRa;
  /** RAs replaced recently: requests encrypted to them (GetCACert fetched earlier) still open. */
  previous: readonly ScepRa[];
}

export interface ScepServiceOptions {
  ca: CaSigner;
  /** The RA to use now (cheap when nothing changed: called for every request). */
  ra(): Promise<ScepRaKeys>;
  /** Accept single-DES envelopes (scepclient 2.1.0). Off by default: DES is broken. */
  allowLegacyDes: boolean;
  /** Checks (and consumes) a one-time challenge; null when unknown, used or expired. */
  verifyChallenge(challenge: string, csr: ScepCsr): Promise<ScepIdentity | null>;
  /** Issues (and stores) the signing certificate; returns its DER. */
  issue(spkiDer: Uint8Array, email: string, displayName: string | null | undefined): Promise<Uint8Array>;
  /** Records a transaction (its replay key); false when it was seen before (replay). */
  rememberTransaction(transactionId: string, signerThumbprint: string): Promise<boolean>;
  /** Maps a certificate this CA issued to its (still entitled) user; enables RenewalReq. */
  findIssuedBySigner?(certDer: Uint8Array): Promise<ScepIdentity | null>;
  now?(): Date;
}

export interface ScepRequest {
  operation: string | null | undefined;
  message: Uint8Array | null;
}

export interface ScepResponse {
  status: number;
  contentType: string;
  body: Uint8Array | string;
}

export interface ScepService {
  handle(request: ScepRequest): Promise<ScepResponse>;
}

const PKI_MESSAGE_TYPE = 'application/x-pki-message';
const CA_RA_CERT_TYPE = 'application/x-x509-ca-ra-cert';

/**
 * Creates the SCEP service. Requests are encrypted to the RA (an RSA certificate the CA issued)
 * and, from clients that address it, to the CA when its key is RSA; replies are signed by the
 * RA. Certificate issuance runs under a mutex so that concurrent enrollments never interleave.
 */
export function createScepService(options: ScepServiceOptions): ScepService {
  const { ca } = options;
  // Older clients encrypt to the CA certificate itself; only an RSA CA key can open that.
  const caRecipient: RecipientKey | null = ca.keyAlgorithm === 'EC-P256' ? null : recipientKeyOf(ca.certificateDer, ca.keyObject);
  const now = options.now ?? (() => new Date());
  const mutex = createAsyncMutex();
  const rejectionSecret = new Uint8Array(randomBytes(32));
  const caX509 = new X509Certificate(ca.certificateDer);
  const caps = buildCaCaps({ renewal: options.findIssuedBySigner !== undefined });
  // GetCACert's answer changes only when the RA does: encoded once per RA.
  let caCert: { ra: ScepRa; body: Uint8Array } | null = null;

  async function pkiOperation(message: Uint8Array): Promise<ScepResponse> {
    const ras = await options.ra();
    const reply = async (context: PkiMessage | ScepFailure, outcome: CertRepOutcome): Promise<ScepResponse> => {
      const replyContext = context instanceof ScepFailure ? context.context : context;
      const body = await buildCertRep(ras.current, [ras.current.certificateDer, ca.certificateDer], replyContext, outcome);
      return { status: 200, contentType: PKI_MESSAGE_TYPE, body };
    };
    let request: PkiMessage;
    try {
      const keys = [ras.current, ...ras.previous, ...(caRecipient ? [caRecipient] : [])];
      request = await parsePkiMessage(message, { keys, fallbackKey: caRecipient?.keyObject ?? null, allowLegacyDes: options.allowLegacyDes, rejectionSecret });
    } catch (error) {
      if (error instanceof ScepMalformedError) return text(400, `bad SCEP message: ${error.message}`);
      if (error instanceof ScepFailure) return reply(error, { status: 'failure', failInfo: error.failInfo });
      throw error;
    }
    try {
      return await reply(request, await enroll(request));
    } catch (error) {
      if (error instanceof ScepFailure) return reply(request, { status: 'failure', failInfo: error.failInfo });
      throw error;
    }
  }

  async function enroll(request: PkiMessage): Promise<CertRepOutcome> {
    const fail = (failInfo: FailInfo, why: string) => new ScepFailure(failInfo, request, why);
    if (request.messageType === MESSAGE_TYPE.CertPoll) {
      // Issuance is synchronous, so nothing is ever PENDING: no poll can match a request.
      throw fail('badCertId', 'no pending request for this transaction');
    }
    const csr = request.csr;
    if (!csr) throw fail('badRequest', `unsupported messageType ${request.messageType}`);
    try {
      checkSubjectKey(csr.spkiDer);
    } catch (error) {
      if (isAppError(error)) throw fail('badRequest', error.message);
      throw error;
    }
    const thumbprint = createHash('sha256').update(request.signerCertificateDer).digest('hex');
    const issuedHere = signedByThisCa(request);
    // certmonger (like the SCEP drafts before RFC 8894) renews with a PKCSReq signed by the
    // certificate being renewed: that proves the same as a RenewalReq, so it is served as one.
    const renewal =
      request.messageType === MESSAGE_TYPE.RenewalReq ||
      (request.messageType === MESSAGE_TYPE.PKCSReq && issuedHere && options.findIssuedBySigner !== undefined);
    if (renewal) checkRenewalSigner(request, issuedHere);
    // Clients derive the transactionID from the public key (scepclient; RFC 8894 §3.2.1.1), so
    // a renewal keeping its key repeats the id of the first PKCSReq: a renewal is told apart by
    // the certificate that signed it (a replay of the same renewal still repeats both).
    const replayKey = renewal ? `${request.transactionId} renewal ${thumbprint}` : request.transactionId;
    return mutex.run(async () => {
      const identity = renewal ? await renewalIdentity(request) : await challengeIdentity(request, csr);
      if (!(await options.rememberTransaction(replayKey, thumbprint))) {
        throw fail('badRequest', 'transaction id replayed');
      }
      const certificateDer = await options.issue(csr.spkiDer, identity.email, identity.displayName);
      return { status: 'success', certificateDer, recipient: request.signerCertificate, requestCipher: request.contentCipher };
    });
  }

  async function challengeIdentity(request: PkiMessage, csr: ScepCsr): Promise<ScepIdentity> {
    const challenge = csr.challengePassword;
    const identity = challenge ? await options.verifyChallenge(challenge, csr) : null;
    if (!identity) throw new ScepFailure('badRequest', request, 'challenge password missing or not valid');
    return identity;
  }

  function signedByThisCa(request: PkiMessage): boolean {
    const signer = request.signerCertificate;
    try {
      return signer.x509.checkIssued(caX509) && signer.x509.verify(caX509.publicKey);
    } catch {
      return false;
    }
  }

  /** A renewal must be signed by an unexpired certificate this CA issued. */
  function checkRenewalSigner(request: PkiMessage, issuedHere: boolean): void {
    const signer = request.signerCertificate;
    if (!issuedHere) throw new ScepFailure('badMessageCheck', request, 'renewal not signed by a certificate of this CA');
    const at = now().getTime();
    if (at < signer.notBefore.getTime() || at > signer.notAfter.getTime()) {
      throw new ScepFailure('badTime', request, 'the certificate used for renewal is not valid now');
    }
  }

  async function renewalIdentity(request: PkiMessage): Promise<ScepIdentity> {
    const identity = options.findIssuedBySigner ? await options.findIssuedBySigner(request.signerCertificateDer) : null;
    if (!identity) throw new ScepFailure('badRequest', request, 'the renewing certificate is unknown or revoked');
    return identity;
  }

  return {
    async handle({ operation, message }: ScepRequest): Promise<ScepResponse> {
      switch (operation) {
        case 'GetCACaps':
          return { status: 200, contentType: 'text/plain; charset=utf-8', body: caps };
        case 'GetCACert': {
          // RFC 8894 §4.2.1.2: with an RA, a degenerate SignedData holding the RA and the CA.
          const { current } = await options.ra();
          if (caCert?.ra !== current) caCert = { ra: current, body: degenerateSignedData(current.certificateDer, ca.certificateDer) };
          return { status: 200, contentType: CA_RA_CERT_TYPE, body: caCert.body };
        }
        case 'PKIOperation':
          if (!message || message.length === 0) return text(400, 'PKIOperation needs a message');
          return pkiOperation(message);
        default:
          return text(400, `unknown SCEP operation ${JSON.stringify(String(operation ?? '')).slice(0, 60)}`);
      }
    },
  };
}

function text(status: number, body: string): ScepResponse {
  return { status, contentType: 'text/plain; charset=utf-8', body };
}
