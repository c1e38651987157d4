import { useEffect, useState } from 'preact/hooks';
import { useI18n } from './i18n/i18n.tsx';
import { CheckPage } from './pages/check-page.tsx';
import { EnrollPage } from './pages/enroll-page.tsx';
import { HomePage } from './pages/home-page.tsx';
import { KeychainPage } from './pages/keychain-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { RetrievePage } from './pages/retrieve-page.tsx';
import { SettingsPage } from './pages/settings-page.tsx';
import { Link, useRoute } from './router.tsx';
import type { SwBridge } from './sw-bridge.ts';

function CurrentPage(props: { bridge: SwBridge }) {
  const { path } = useRoute();
  switch (path) {
    case '/':
      return <HomePage />;
    case '/enroll':
      return <EnrollPage />;
    case '/smime/retrieve':
      return <RetrievePage />;
    case '/keychain':
      return <KeychainPage />;
    case '/smime/check':
      return <CheckPage />;
    case '/settings':
      return <SettingsPage bridge={props.bridge} />;
    default:
      return <NotFoundPage />;
  }
}

/** The shell: skip link, header with navigation, the update prompt, and the current page. */
export function App(props: { bridge: SwBridge }) {
  const { t } = useI18n();
  const [update, setUpdate] = useState(false);
  useEffect(() => props.bridge.onUpdate(() => setUpdate(true)), [props.bridge]);
  return (
    <>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="top">
        <span class="brand">{t('app.name')}</span>
        <nav aria-label={t('nav.label')}>
          <Link to="/">{t('nav.home')}</Link>
          <Link to="/keychain">{t('nav.keychain')}</Link>
          <Link to="/smime/check">{t('nav.check')}</Link>
          <Link to="/settings">{t('nav.settings')}</Link>
        </nav>
      </header>
      {update && (
        <div class="update" role="status">
          <span>{t('update.available')}</span>
          <button type="button" onClick={() => props.bridge.applyUpdate()}>
            {t('update.reload')}
          </button>
        </div>
      )}
      <main id="main" tabIndex={-1}>
        <CurrentPage bridge={props.bridge} />
      </main>
    </>
  );
}
