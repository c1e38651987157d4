import { useSession } from './api/session.tsx';
import { LOCALE_NAMES, LOCALES, type Locale } from './i18n/catalogue.ts';
import { useI18n } from './i18n/i18n.tsx';
import { AuditPage } from './pages/audit-page.tsx';
import { CaPage } from './pages/ca-page.tsx';
import { CampaignPage } from './pages/campaign-page.tsx';
import { CampaignsPage } from './pages/campaigns-page.tsx';
import { GroupsPage } from './pages/groups-page.tsx';
import { ImportPage } from './pages/import-page.tsx';
import { OverviewPage } from './pages/overview-page.tsx';
import { PoliciesPage } from './pages/policies-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { UserPage } from './pages/user-page.tsx';
import { UsersPage } from './pages/users-page.tsx';
import { Page } from './components/page.tsx';
import { Link, useRoute } from './router.tsx';

function CurrentPage() {
  const { path } = useRoute();
  const { t } = useI18n();
  if (path.startsWith('/users/')) return <UserPage email={decodeURIComponent(path.slice('/users/'.length))} />;
  if (path.startsWith('/campaigns/')) return <CampaignPage id={decodeURIComponent(path.slice('/campaigns/'.length))} />;
  switch (path) {
    case '/':
      return <OverviewPage />;
    case '/users':
      return <UsersPage />;
    case '/groups':
      return <GroupsPage />;
    case '/import':
      return <ImportPage />;
    case '/policies':
      return <PoliciesPage />;
    case '/campaigns':
      return <CampaignsPage />;
    case '/ca':
      return <CaPage />;
    case '/audit':
      return <AuditPage />;
    default:
      return <Page title={t('common.notFound')} />;
  }
}

function LanguagePicker() {
  const { t, locale, setLocale } = useI18n();
  return (
    <label class="lang">
      <span>{t('nav.language')}</span>
      <select value={locale} onChange={(e) => setLocale((e.target as HTMLSelectElement).value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The console shell: skip link, header with navigation and sign-out, the current page. */
export function App() {
  const { t } = useI18n();
  const { session, signOut } = useSession();
  return (
    <>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="top">
        <span class="brand">{t('app.name')}</span>
        {session && (
          <nav aria-label={t('nav.label')}>
            <Link to="/">{t('nav.overview')}</Link>
            <Link to="/users">{t('nav.users')}</Link>
            <Link to="/groups">{t('nav.groups')}</Link>
            <Link to="/import">{t('nav.import')}</Link>
            <Link to="/policies">{t('nav.policies')}</Link>
            <Link to="/campaigns">{t('nav.campaigns')}</Link>
            <Link to="/ca">{t('nav.ca')}</Link>
            <Link to="/audit">{t('nav.audit')}</Link>
          </nav>
        )}
        <div class="top-end">
          <LanguagePicker />
          {session && (
            <button type="button" class="secondary" onClick={() => void signOut()}>
              {t('nav.signOut')}
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {session === undefined ? <p class="muted">{t('common.loading')}</p> : session === null ? <SignInPage /> : <CurrentPage />}
      </main>
    </>
  );
}
