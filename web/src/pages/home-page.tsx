import { useEffect, useState } from 'preact/hooks';
import { DeviceActionsList } from '../components/device-actions-list.tsx';
import { Page } from '../components/page.tsx';
import { useDeviceRecord } from '../components/use-device.ts';
import { ApiError } from '../device/api-error.ts';
import { type DeviceInfo, fetchMe } from '../device/device-client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';

type Server = { state: 'checking' } | { state: 'ok'; info: DeviceInfo } | { state: 'retired' } | { state: 'offline' } | { state: 'error'; message: string };

/** Device status: enrolled for whom, reachable, notifications on or off. */
export function HomePage() {
  const { t } = useI18n();
  const [record] = useDeviceRecord();
  const [server, setServer] = useState<Server>({ state: 'checking' });
  useEffect(() => {
    if (!record) return;
    fetchMe(record).then(
      (info) => setServer({ state: 'ok', info }),
      (error: unknown) => {
        if (error instanceof ApiError && error.code === 'device_retired') setServer({ state: 'retired' });
        else if (error instanceof ApiError && error.code === 'offline') setServer({ state: 'offline' });
        else setServer({ state: 'error', message: error instanceof Error ? error.message : String(error) });
      },
    );
  }, [record]);

  return (
    <Page title={t('home.title')}>
      {record === undefined && <p>{t('home.checking')}</p>}
      {record === null && <p>{t('home.notEnrolled')}</p>}
      {record && (
        <>
          <p id="device-status">{t('home.enrolled', { email: record.email })}</p>
          <dl class="facts">
            <dt>{t('home.deviceId')}</dt>
            <dd class="mono">{record.deviceId}</dd>
            <dt>{t('home.enrolledAt')}</dt>
            <dd>{new Date(record.enrolledAt).toLocaleString()}</dd>
          </dl>
          {server.state === 'checking' && <p>{t('home.checking')}</p>}
          {server.state === 'ok' && (
            <p id="server-status">
              {t('home.serverOk')} {server.info.push ? t('home.pushOn') : t('home.pushOff')}
            </p>
          )}
          {server.state === 'ok' && <DeviceActionsList record={record} />}
          {server.state === 'retired' && <p role="alert">{t('home.retired')}</p>}
          {server.state === 'offline' && <p role="status">{t('common.offline')}</p>}
          {server.state === 'error' && <p role="alert">{t('common.error', { message: server.message })}</p>}
          <p>
            <Link to="/keychain">{t('home.openKeychain')}</Link>
          </p>
        </>
      )}
    </Page>
  );
}
