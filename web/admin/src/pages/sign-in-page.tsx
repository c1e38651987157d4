import { useState } from 'preact/hooks';
import { ApiError } from '../api/admin-client.ts';
import { useSession } from '../api/session.tsx';
import { Page } from '../components/page.tsx';
import { useI18n } from '../i18n/i18n.tsx';

/** Exchanges an admin token for a session cookie; the token is not kept by the page. */
export function SignInPage() {
  const { t } = useI18n();
  const { signIn } = useSession();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(token.trim());
      setToken('');
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t('signin.limited') : err instanceof ApiError && err.status === 401 ? t('signin.failed') : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title={t('signin.title')}>
      <p>{t('signin.intro')}</p>
      <form class="stack narrow" onSubmit={submit}>
        <label for="token">{t('signin.token')}</label>
        <input id="token" name="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={busy}>
          {busy ? t('common.working') : t('signin.submit')}
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Page>
  );
}
