import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n.tsx';
import type { KeychainEntry } from '../keychain/certificate-store.ts';
import type { DeviceRecord } from '../keychain/device-store.ts';

/** Download the encryption history as a PKCS#12 (AES or iOS-compatible 3DES); policy permitting. */
export function KeychainExport(props: { record: DeviceRecord; entries: KeychainEntry[] }) {
  const { t } = useI18n();
  const [link, setLink] = useState<{ url: string; name: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => () => void (link && URL.revokeObjectURL(link.url)), [link]);
  const submit = async (form: HTMLFormElement) => {
    setError(null);
    const password = (form.elements.namedItem('export-password') as HTMLInputElement).value;
    const encoding = (form.elements.namedItem('export-encoding') as HTMLSelectElement).value === '3des' ? '3des' : 'aes';
    if (password.length < 8) return setError(t('keychain.export.shortPassword'));
    try {
      const { exportHistoryPkcs12 } = await import('../retrieval/export-history.ts');
      const bytes = await exportHistoryPkcs12(props.record, props.entries, password, encoding);
      setLink({ url: URL.createObjectURL(new Blob([bytes.slice().buffer as ArrayBuffer], { type: 'application/x-pkcs12' })), name: `encryption-history-${encoding}.p12` });
    } catch (e) {
      setError(t('keychain.export.failed', { message: e instanceof Error ? e.message : String(e) }));
    }
  };
  return (
    <section aria-labelledby="keychain-export-title">
      <h2 id="keychain-export-title">{t('keychain.export.title')}</h2>
      <p>{t('keychain.export.intro')}</p>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void submit(e.currentTarget);
        }}
      >
        <label for="export-password">{t('keychain.export.password')}</label>
        <input id="export-password" name="export-password" type="password" autocomplete="new-password" />
        <label for="export-encoding">{t('keychain.export.encoding')}</label>
        <select id="export-encoding" name="export-encoding">
          <option value="aes">{t('keychain.export.aes')}</option>
          <option value="3des">{t('keychain.export.3des')}</option>
        </select>
        <button type="submit">{t('keychain.export.submit')}</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {link && (
        <p role="status">
          <a id="keychain-export-download" href={link.url} download={link.name}>
            {t('keychain.export.download', { name: link.name })}
          </a>
        </p>
      )}
    </section>
  );
}
