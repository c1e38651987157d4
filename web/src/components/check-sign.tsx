import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n.tsx';
import type { KeychainEntry, KeychainMeta } from '../keychain/certificate-store.ts';

/** Signs a test message with the default signing certificate; offers it as a downloadable .eml. */
export function CheckSign(props: { email: string; entries: KeychainEntry[]; meta: KeychainMeta }) {
  const { t } = useI18n();
  const [eml, setEml] = useState<string | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);

  const sign = async (text: string) => {
    setError(null);
    try {
      const { signTestMessage } = await import('../retrieval/check-actions.ts');
      const { eml: signed } = await signTestMessage(props.entries, props.meta, { text, from: props.email, to: props.email });
      setEml(signed);
      setUrl(URL.createObjectURL(new Blob([signed], { type: 'message/rfc822' })));
    } catch (e) {
      console.warn('signing failed', e);
      setError(t('check.signFailed', { message: e instanceof Error ? e.message : String(e) }));
    }
  };

  return (
    <section aria-labelledby="check-sign-title">
      <h2 id="check-sign-title">{t('check.signTitle')}</h2>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void sign((e.currentTarget.elements.namedItem('sign-text') as HTMLTextAreaElement).value);
        }}
      >
        <label for="sign-text">{t('check.signText')}</label>
        <textarea id="sign-text" name="sign-text" rows={3} value={t('check.signDefault')} />
        <button type="submit">{t('check.sign')}</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {eml && url && (
        <div role="status">
          <a id="check-signed-download" href={url} download="smime-test-signed.eml">
            {t('check.download')}
          </a>
          <textarea id="check-signed-output" aria-label={t('check.signedOutput')} rows={6} readOnly value={eml} />
        </div>
      )}
    </section>
  );
}
