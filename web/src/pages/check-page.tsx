import { useState } from 'preact/hooks';
import { Page } from '../components/page.tsx';
import { useI18n } from '../i18n/i18n.tsx';

/** /smime/check: open an S/MIME message with the keychain (decryption lands with retrieval). */
export function CheckPage() {
  const { t } = useI18n();
  const [tried, setTried] = useState(false);
  return (
    <Page title={t('check.title')}>
      <p>{t('check.intro')}</p>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          setTried(true);
        }}
      >
        <label for="smime-file">{t('check.file')}</label>
        <input id="smime-file" type="file" accept=".eml,.p7m,message/rfc822,application/pkcs7-mime" />
        <label for="smime-paste">{t('check.paste')}</label>
        <textarea id="smime-paste" rows={6} spellcheck={false} />
        <button type="submit">{t('check.open')}</button>
      </form>
      {tried && <p role="status">{t('check.notYet')}</p>}
    </Page>
  );
}
