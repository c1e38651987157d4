import { KeychainEntryCard } from '../components/keychain-entry-card.tsx';
import { KeychainExport } from '../components/keychain-export.tsx';
import { useKeychain } from '../components/keychain-hook.ts';
import { KeychainImport } from '../components/keychain-import.tsx';
import { Page } from '../components/page.tsx';
import { useDeviceRecord } from '../components/use-device.ts';
import { useI18n } from '../i18n/i18n.tsx';
import {
  defaultSigningEntry,
  encryptionHistoryOf,
  type KeychainEntry,
  removeCertificate,
  signingEntriesOf,
  updateKeychainMeta,
  validNow,
} from '../keychain/certificate-store.ts';

/**
 * /keychain: the device keys; signing certificates (with the default choice when there are
 * several); the current encryption certificate and the history; details, removal, expiry
 * warnings; .p12 import; and the history export when the policy allows it.
 */
export function KeychainPage() {
  const { t } = useI18n();
  const [record] = useDeviceRecord();
  const { entries, meta, reload } = useKeychain();
  const remove = (e: KeychainEntry) => {
    removeCertificate(e.thumbprint).then(reload, (error: unknown) => console.error('removing failed', error));
  };
  const keyRow = (label: string, key: CryptoKey | undefined) => (
    <>
      <dt>{label}</dt>
      <dd>
        {key?.algorithm.name} · {key && !key.extractable ? t('keychain.nonExtractable') : ''}
      </dd>
    </>
  );
  const signing = entries ? signingEntriesOf(entries) : [];
  const history = entries ? encryptionHistoryOf(entries) : [];
  const chosen = entries ? defaultSigningEntry(entries, meta) : null;
  const validSigning = signing.filter((e) => validNow(e));
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
      {signing.length > 0 && (
        <section aria-labelledby="keychain-signing-title">
          <h2 id="keychain-signing-title">{t('keychain.signing', { count: signing.length })}</h2>
          {validSigning.length > 1 && (
            <fieldset id="keychain-default-signing">
              <legend>{t('keychain.defaultSigning')}</legend>
              {validSigning.map((e) => (
                <label key={e.thumbprint}>
                  <input
                    type="radio"
                    name="default-signing"
                    value={e.thumbprint}
                    checked={chosen?.thumbprint === e.thumbprint}
                    onChange={() => updateKeychainMeta({ defaultSigning: e.thumbprint }).then(reload)}
                  />{' '}
                  {e.emails[0] ?? e.subject} · {t('keychain.validUntil', { date: e.notAfter.slice(0, 10) })} · SHA-1 {e.sha1.slice(0, 8)}
                </label>
              ))}
            </fieldset>
          )}
          <ul class="entries" id="keychain-signing">
            {signing.map((e) => (
              <KeychainEntryCard key={e.thumbprint} entry={e} current={chosen?.thumbprint === e.thumbprint} onRemove={remove} />
            ))}
          </ul>
        </section>
      )}
      {history.length > 0 && (
        <section aria-labelledby="keychain-history-title">
          <h2 id="keychain-history-title">{t('keychain.history', { count: history.length })}</h2>
          <ul class="entries" id="keychain-history">
            {history.map((e) => (
              <KeychainEntryCard key={e.thumbprint} entry={e} current={meta.currentEncryption === e.thumbprint} onRemove={remove} />
            ))}
          </ul>
        </section>
      )}
      {record && <KeychainImport record={record} onImported={reload} />}
      {record && meta.policy?.encryption.allowExport && history.length > 0 && entries && <KeychainExport record={record} entries={entries} />}
    </Page>
  );
}
