import { useEffect, useState } from 'preact/hooks';
import type { MessageKey } from '../i18n/catalogue.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { encryptionHistoryOf, type KeychainEntry, type KeychainMeta } from '../keychain/certificate-store.ts';
import type { DeviceRecord } from '../keychain/device-store.ts';
import type { DirectoryAnswer } from '../retrieval/check-actions.ts';

/**
 * Encrypts a test message to recipients looked up in the portal directory. Recipients without a
 * valid certificate are listed and must be removed before it encrypts, as Outlook does.
 */
export function CheckEncrypt(props: { record: DeviceRecord; entries: KeychainEntry[]; meta: KeychainMeta }) {
  const { t } = useI18n();
  const [recipients, setRecipients] = useState<DirectoryAnswer[]>([]);
  const [eml, setEml] = useState<string | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  const blocked = recipients.filter((r) => r.status !== 'found');

  const lookup = async (text: string) => {
    setError(null);
    setEml(null);
    const emails = text.split(/[\s,;]+/).map((e) => e.trim()).filter(Boolean);
    if (!emails.length) return;
    try {
      const { lookupDirectory } = await import('../retrieval/check-actions.ts');
      setRecipients(await lookupDirectory(props.record, emails));
    } catch (e) {
      setError(t('check.lookupFailed', { message: e instanceof Error ? e.message : String(e) }));
    }
  };
  const encrypt = async () => {
    setError(null);
    try {
      const own = encryptionHistoryOf(props.entries).find((e) => e.thumbprint === props.meta.currentEncryption) ?? null;
      const { encryptToRecipients } = await import('../retrieval/check-actions.ts');
      const out = await encryptToRecipients(recipients, own, { text: t('check.signDefault'), from: props.record.email });
      setEml(out);
      setUrl(URL.createObjectURL(new Blob([out], { type: 'message/rfc822' })));
    } catch (e) {
      setError(t('check.encryptFailed', { message: e instanceof Error ? e.message : String(e) }));
    }
  };

  return (
    <section aria-labelledby="check-encrypt-title">
      <h2 id="check-encrypt-title">{t('check.encryptTitle')}</h2>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void lookup((e.currentTarget.elements.namedItem('encrypt-to') as HTMLInputElement).value);
        }}
      >
        <label for="encrypt-to">{t('check.recipients')}</label>
        <input id="encrypt-to" name="encrypt-to" type="text" autocomplete="off" />
        <button type="submit">{t('check.lookup')}</button>
      </form>
      {recipients.length > 0 && (
        <ul id="encrypt-recipients">
          {recipients.map((r) => (
            <li key={r.email} class={r.status === 'found' ? '' : 'error'}>
              {r.email}: {t(`check.recipient.${r.status}` as MessageKey)}{' '}
              <button type="button" onClick={() => setRecipients((list) => list.filter((x) => x.email !== r.email))}>
                {t('check.removeRecipient', { email: r.email })}
              </button>
            </li>
          ))}
        </ul>
      )}
      {blocked.length > 0 && <p role="alert">{t('check.removeFirst', { count: blocked.length })}</p>}
      {recipients.length > 0 && (
        <button type="button" id="encrypt-send" disabled={blocked.length > 0} onClick={() => void encrypt()}>
          {t('check.encrypt')}
        </button>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {eml && url && (
        <div role="status">
          <a id="check-encrypted-download" href={url} download="smime-test-encrypted.eml">
            {t('check.download')}
          </a>
          <textarea id="check-encrypted-output" aria-label={t('check.encryptedOutput')} rows={6} readOnly value={eml} />
        </div>
      )}
    </section>
  );
}
