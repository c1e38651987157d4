import type { Overview } from '../api/types.ts';
import { useClient } from '../api/session.tsx';
import { useLoad } from '../api/use-load.ts';
import { ErrorNote, Loading, Page } from '../components/page.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';

/** Four numbers an admin checks first. */
export function OverviewPage() {
  const { t } = useI18n();
  const client = useClient();
  const { data, error } = useLoad(() => client.get<Overview>('/overview'), []);
  return (
    <Page title={t('overview.title')}>
      <ErrorNote error={error} />
      {!data && !error && <Loading />}
      {data && (
        <ul class="cards">
          <li class="card">
            <span class="card-n">{data.users}</span> <Link to="/users">{t('overview.users')}</Link>
          </li>
          <li class="card">
            <span class="card-n">{data.enrolledDevices}</span> <span>{t('overview.devices')}</span>
          </li>
          <li class={data.expiringSoon > 0 ? 'card card-warn' : 'card'}>
            <span class="card-n">{data.expiringSoon}</span> <span>{t('overview.expiring', { days: data.expiringWithinDays })}</span>
          </li>
          <li class="card">
            <span class="card-n">{data.campaignsRunning}</span> <Link to="/campaigns">{t('overview.campaigns')}</Link>
          </li>
        </ul>
      )}
    </Page>
  );
}
