import { CheckEncrypt } from '../components/check-encrypt.tsx';
import { CheckOpen } from '../components/check-open.tsx';
import { CheckSign } from '../components/check-sign.tsx';
import { useKeychain } from '../components/keychain-hook.ts';
import { Page } from '../components/page.tsx';
import { useDeviceRecord } from '../components/use-device.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { encryptionHistoryOf, signingEntriesOf } from '../keychain/certificate-store.ts';

/**
 * /smime/check: open an S/MIME message with any certificate of the history and verify
 * signatures; sign a test message; encrypt one to recipients from the portal directory.
 */
export function CheckPage() {
  const { t } = useI18n();
  const [record] = useDeviceRecord();
  const { entries, meta } = useKeychain();
  const ready = record && entries;
  return (
    <Page title={t('check.title')}>
      <p>{t('check.intro')}</p>
      {record === null && <p role="alert">{t('keychain.noDevice')}</p>}
      {ready && encryptionHistoryOf(entries).length === 0 && <p role="status">{t('check.notYet')}</p>}
      {ready && (
        <>
          <CheckOpen record={record} entries={entries} meta={meta} />
          {signingEntriesOf(entries).length > 0 && <CheckSign email={record.email} entries={entries} meta={meta} />}
          <CheckEncrypt record={record} entries={entries} meta={meta} />
        </>
      )}
    </Page>
  );
}
