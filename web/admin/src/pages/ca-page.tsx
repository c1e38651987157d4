import { useClient } from '../api/session.tsx';
import type { CaStatus } from '../api/types.ts';
import { useLoad } from '../api/use-load.ts';
import { ErrorNote, Loading, Page } from '../components/page.tsx';
import { useAction } from '../components/use-action.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { AdminMessageKey } from '../i18n/catalogue.ts';
import { Link } from '../router.tsx';

/** The built-in CA: its certificate, the CRL's state, what it issued (revoke from here). */
export function CaPage() {
  const { t, date } = useI18n();
  const client = useClient();
  const ca = useLoad(() => client.get<CaStatus>('/ca/status'), []);
  const act = useAction();
  const revoke = (id: string) =>
    void act.run(async () => {
      await client.send('POST', `/credentials/${encodeURIComponent(id)}/revoke`, { reason: 'unspecified' });
      ca.reload();
    });
  const unavailable = ca.error && /no built-in CA|not configured/i.test(ca.error.message);
  return (
    <Page title={t('ca.title')}>
      {unavailable ? <p>{t('ca.unavailable')}</p> : <ErrorNote error={ca.error} />}
      <ErrorNote error={act.error} />
      {!ca.data && !ca.error && <Loading />}
      {ca.data && (
        <>
          <h2>{t('ca.certificate')}</h2>
          <dl class="facts">
            <dt>{t('ca.subject')}</dt>
            <dd>{ca.data.subject}</dd>
            <dt>{t('ca.algorithm')}</dt>
            <dd>{ca.data.keyAlgorithm}</dd>
            <dt>{t('ca.source')}</dt>
            <dd>{ca.data.source}</dd>
            <dt>{t('ca.validity')}</dt>
            <dd>
              {date(ca.data.notBefore)} – {date(ca.data.notAfter)}
            </dd>
            <dt>{t('ca.fingerprint')}</dt>
            <dd class="mono">{ca.data.sha256}</dd>
          </dl>
          <h2>{t('ca.crl')}</h2>
          <dl class="facts">
            <dt>{t('ca.crlNumber')}</dt>
            <dd>{ca.data.crl.thisUpdate ? ca.data.crl.number : t('ca.crlNotYet')}</dd>
            <dt>{t('ca.crlThis')}</dt>
            <dd>{date(ca.data.crl.thisUpdate, true)}</dd>
            <dt>{t('ca.crlNext')}</dt>
            <dd>{date(ca.data.crl.nextUpdate, true)}</dd>
            <dt>{t('ca.crlRevoked')}</dt>
            <dd>{ca.data.crl.revokedCount}</dd>
          </dl>
          <h2>{t('ca.issued')}</h2>
          {ca.data.issued.length === 0 && <p>{t('ca.none')}</p>}
          {ca.data.issued.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('users.email')}</th>
                  <th scope="col">{t('import.purpose')}</th>
                  <th scope="col">{t('campaigns.status')}</th>
                  <th scope="col">{t('ca.validity')}</th>
                  <td />
                </tr>
              </thead>
              <tbody>
                {ca.data.issued.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link to={`/users/${encodeURIComponent(c.userEmail)}`}>{c.userEmail}</Link>
                    </td>
                    <td>{t(`purpose.${c.purpose}` as AdminMessageKey)}</td>
                    <td>{t(c.status === 'revoked' ? 'cert.revoked' : Date.parse(c.notAfter) < Date.now() ? 'cert.expired' : 'cert.active')}</td>
                    <td>
                      {date(c.notBefore)} – {date(c.notAfter)}
                    </td>
                    <td>
                      {c.status !== 'revoked' && (
                        <button type="button" class="danger small" disabled={act.busy} aria-label={t('cert.revokeLabel', { serial: c.serialHex })} onClick={() => revoke(c.id)}>
                          {t('cert.revoke')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Page>
  );
}
