import { useEffect, useState } from 'preact/hooks';
import { Page } from '../components/page.tsx';
import { useDeviceRecord } from '../components/use-device.ts';
import { type KeychainEntry, listCertificates } from '../keychain/certificate-store.ts';
import { useI18n } from '../i18n/i18n.tsx';

/** /keychain: the device keys and the certificates stored on this device. */
export function KeychainPage() {
  const { t } = useI18n();
  const [record] = useDeviceRecord();
  const [entries, setEntries] = useState<KeychainEntry[] | null>(null);
  useEffect(() => {
    listCertificates().then(setEntries, () => setEntries([]));
  }, []);
  const keyRow = (label: string, key: CryptoKey | undefined) => (
    <>
      <dt>{label}</dt>
      <dd>
        {key?.algorithm.name} · {key && !key.extractable ? t('keychain.nonExtractable') : ''}
      </dd>
    </>
  );
  return (
    <Page title={t('keychain.title')}>
      <p>{t('keychain.intro')}</p>
      <h2>{t('keychain.deviceKeys')}</h2>
      {record ? (
        <dl class="facts" id="device-keys">
          {keyRow(t('keychain.identityKey'), record.identity.privateKey)}
          {keyRow(t('keychain.transportKey'), record.transport.privateKey)}
        </dl>
      ) : (
        <p>{t('keychain.noDevice')}</p>
      )}
      {entries && entries.length === 0 && <p>{t('keychain.empty')}</p>}
      {entries && entries.length > 0 && (
        <ul class="entries">
          {entries.map((e) => (
            <li key={e.thumbprint}>
              {e.subject} · {e.purpose} · {e.notAfter}
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
