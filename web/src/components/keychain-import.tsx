import { useState } from 'preact/hooks';
import { isPkiError } from '../../../shared/pki/pki-error.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { DeviceRecord } from '../keychain/device-store.ts';

/** Import a .p12/.pfx with its password into the keychain (user-imported). */
export function KeychainImport(props: { record: DeviceRecord; onImported: () => void }) {
  const { t } = useI18n();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (form: HTMLFormElement) => {
    setMessage(null);
    const file = (form.elements.namedItem('p12-file') as HTMLInputElement).files?.[0];
    const password = (form.elements.namedItem('p12-password') as HTMLInputElement).value;
    if (!file) return setMessage({ ok: false, text: t('keychain.import.noFile') });
    try {
      const { importPkcs12File } = await import('../retrieval/import-p12.ts');
      const entries = await importPkcs12File(props.record, new Uint8Array(await file.arrayBuffer()), password);
      setMessage({ ok: true, text: t('keychain.import.done', { count: entries.length }) });
      form.reset();
      props.onImported();
    } catch (e) {
      console.warn('importing the .p12 failed', e);
      const code = isPkiError(e) ? e.code : '';
      const text =
        code === 'pkcs12_wrong_password' ? t('keychain.import.wrongPassword') : code === 'pkcs12_no_key' ? t('keychain.import.noKey') : t('keychain.import.unreadable');
      setMessage({ ok: false, text });
    }
  };
  return (
    <section aria-labelledby="keychain-import-title">
      <h2 id="keychain-import-title">{t('keychain.import.title')}</h2>
      <p>{t('keychain.import.intro')}</p>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void submit(e.currentTarget);
        }}
      >
        <label for="p12-file">{t('keychain.import.file')}</label>
        <input id="p12-file" name="p12-file" type="file" accept=".p12,.pfx,application/x-pkcs12" />
        <label for="p12-password">{t('keychain.import.password')}</label>
        <input id="p12-password" name="p12-password" type="password" autocomplete="off" />
        <button type="submit">{t('keychain.import.submit')}</button>
      </form>
      {message && (
        <p id="keychain-import-message" role={message.ok ? 'status' : 'alert'} class={message.ok ? '' : 'error'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
