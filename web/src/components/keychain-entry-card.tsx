import { useState } from 'preact/hooks';
import type { MessageKey } from '../i18n/catalogue.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { KeychainEntry } from '../keychain/certificate-store.ts';

const DAY = 86_400_000;

/** Days until expiry when within 30 days (0 = today), -1 when expired, null otherwise. */
export function expiryWarning(entry: KeychainEntry, now = Date.now()): number | null {
  const left = Date.parse(entry.notAfter) - now;
  if (left < 0) return -1;
  return left <= 30 * DAY ? Math.floor(left / DAY) : null;
}

/** One keychain certificate: summary, expiry warning, details, and remove with confirmation. */
export function KeychainEntryCard(props: { entry: KeychainEntry; current?: boolean; onRemove: (e: KeychainEntry) => void }) {
  const { t } = useI18n();
  const { entry } = props;
  const [confirming, setConfirming] = useState(false);
  const warn = expiryWarning(entry);
  const date = (iso: string) => iso.slice(0, 10);
  return (
    <li class="keychain-entry" data-thumbprint={entry.thumbprint}>
      <strong>{entry.emails[0] ?? entry.subject}</strong> · {t(`keychain.source.${entry.source}` as MessageKey)} · {t('keychain.validUntil', { date: date(entry.notAfter) })}
      {props.current && <> · <em>{t('keychain.current')}</em></>}
      {warn !== null && (
        <p class="error" role="note">
          {warn < 0 ? t('keychain.expired') : t('keychain.expiresSoon', { days: warn })}
        </p>
      )}
      <details>
        <summary>{t('keychain.details')}</summary>
        <dl class="facts">
          <dt>{t('keychain.subject')}</dt>
          <dd>{entry.subject}</dd>
          <dt>{t('keychain.issuer')}</dt>
          <dd>{entry.issuer}</dd>
          <dt>{t('keychain.serial')}</dt>
          <dd>{entry.serialHex}</dd>
          <dt>{t('keychain.validity')}</dt>
          <dd>
            {entry.notBefore} – {entry.notAfter}
          </dd>
          <dt>{t('keychain.keyUsage')}</dt>
          <dd>{entry.keyUsage.join(', ') || '—'}</dd>
          <dt>SHA-1</dt>
          <dd>{entry.sha1}</dd>
          <dt>SHA-256</dt>
          <dd>{entry.thumbprint}</dd>
          <dt>{t('keychain.sourceLabel')}</dt>
          <dd>{t(`keychain.source.${entry.source}` as MessageKey)}</dd>
          <dt>{t('keychain.privateKey')}</dt>
          <dd>
            {entry.privateKey.algorithm.name} · {entry.privateKey.extractable ? '' : t('keychain.nonExtractable')}
          </dd>
        </dl>
      </details>
      {confirming ? (
        <p role="alert">
          {t('keychain.confirmRemove')}{' '}
          <button type="button" class="keychain-remove-confirm" onClick={() => props.onRemove(entry)}>
            {t('keychain.removeYes')}
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            {t('keychain.removeNo')}
          </button>
        </p>
      ) : (
        <button type="button" class="keychain-remove" onClick={() => setConfirming(true)}>
          {t('keychain.remove')}
        </button>
      )}
    </li>
  );
}
