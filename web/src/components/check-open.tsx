import { useState } from 'preact/hooks';
import { isSmimeError } from '../../../shared/smime/smime-error.ts';
import { en, type MessageKey } from '../i18n/catalogue.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { KeychainEntry, KeychainMeta } from '../keychain/certificate-store.ts';
import type { DeviceRecord } from '../keychain/device-store.ts';
import type { OpenedMessage } from '../retrieval/check-actions.ts';

/** The "open a message" form of /smime/check: a file labelled "S/MIME message" or a paste box. */
export function CheckOpen(props: { record: DeviceRecord; entries: KeychainEntry[]; meta: KeychainMeta }) {
  const { t } = useI18n();
  const [result, setResult] = useState<OpenedMessage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (form: HTMLFormElement) => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const file = (form.elements.namedItem('smime-file') as HTMLInputElement).files?.[0];
      const pasted = (form.elements.namedItem('smime-paste') as HTMLTextAreaElement).value;
      const bytes = file ? new Uint8Array(await file.arrayBuffer()) : new TextEncoder().encode(pasted);
      if (bytes.length === 0) throw Object.assign(new Error('empty'), { code: 'empty' });
      const { openMessage } = await import('../retrieval/check-actions.ts');
      setResult(await openMessage(bytes, props.record, props.entries, props.meta));
    } catch (e) {
      console.warn('opening the message failed', e);
      const code = isSmimeError(e) ? e.code : (e as { code?: string }).code === 'empty' ? 'empty' : 'other';
      const key = `check.error.${code}`;
      setError(`${t(key in en ? (key as MessageKey) : 'check.error.other')} ${e instanceof Error ? e.message : ''}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="check-open-title">
      <h2 id="check-open-title">{t('check.openTitle')}</h2>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void submit(e.currentTarget);
        }}
      >
        <label for="smime-file">{t('check.file')}</label>
        <input id="smime-file" name="smime-file" type="file" accept=".eml,.p7m,message/rfc822,application/pkcs7-mime" />
        <label for="smime-paste">{t('check.paste')}</label>
        <textarea id="smime-paste" name="smime-paste" rows={6} spellcheck={false} />
        <button type="submit" disabled={busy}>
          {t('check.open')}
        </button>
      </form>
      {error && (
        <p role="alert" id="check-error" class="error">
          {error}
        </p>
      )}
      {result && (
        <div id="check-result" role="status">
          {result.decrypted && (
            <p id="check-opened-by">
              {t('check.openedBy', { subject: result.decrypted.entry.subject, thumbprint: result.decrypted.entry.sha1, keyTransport: result.decrypted.keyTransport, content: result.decrypted.contentAlgorithm })}
            </p>
          )}
          {result.verified && (
            <p id="check-signature" class={result.verified.valid ? '' : 'error'}>
              {result.verified.valid ? t('check.signatureValid') : t('check.signatureInvalid', { reason: result.verified.reason ?? '' })}
            </p>
          )}
          <h3>{t('check.plaintext')}</h3>
          <pre id="check-plaintext">{result.text}</pre>
        </div>
      )}
    </section>
  );
}
