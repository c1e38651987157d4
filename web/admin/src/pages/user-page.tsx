import { useClient } from '../api/session.tsx';
import type { Credential, Device, User } from '../api/types.ts';
import { useLoad } from '../api/use-load.ts';
import { CertTimeline } from '../components/cert-timeline.tsx';
import { ErrorNote, Loading, Page } from '../components/page.tsx';
import { useAction } from '../components/use-action.ts';
import { useI18n } from '../i18n/i18n.tsx';

/** One user: groups, devices (retire), certificate history. */
export function UserPage(props: { email: string }) {
  const { t, date } = useI18n();
  const client = useClient();
  const path = `/users/${encodeURIComponent(props.email)}`;
  const user = useLoad(() => client.get<User & { groups: string[] }>(path), [path]);
  const devices = useLoad(() => client.get<{ items: Device[] }>(`${path}/devices`), [path]);
  const creds = useLoad(() => client.get<{ items: Credential[] }>(`${path}/credentials`), [path]);
  const act = useAction();
  const retire = (d: Device) =>
    void act.run(async () => {
      await client.send('POST', `/devices/${encodeURIComponent(d.id)}/retire`);
      devices.reload();
    });
  const revoke = (c: Credential) =>
    void act.run(async () => {
      await client.send('POST', `/credentials/${encodeURIComponent(c.id)}/revoke`, { reason: 'unspecified' });
      creds.reload();
    });
  return (
    <Page title={props.email}>
      <ErrorNote error={user.error ?? act.error} />
      {user.data && (
        <dl class="facts">
          <dt>{t('users.name')}</dt>
          <dd>{user.data.displayName ?? '—'}</dd>
          <dt>{t('user.groups')}</dt>
          <dd>{user.data.groups.length ? user.data.groups.join(', ') : t('common.none')}</dd>
        </dl>
      )}
      <h2>{t('user.devices')}</h2>
      <ErrorNote error={devices.error} />
      {!devices.data && !devices.error && <Loading />}
      {devices.data && devices.data.items.length === 0 && <p>{t('user.noDevices')}</p>}
      {devices.data && devices.data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('user.device.name')}</th>
              <th scope="col">{t('user.device.platform')}</th>
              <th scope="col">{t('user.device.status')}</th>
              <th scope="col">{t('user.device.enrolled')}</th>
              <th scope="col">{t('user.device.lastSeen')}</th>
              <td />
            </tr>
          </thead>
          <tbody>
            {devices.data.items.map((d) => (
              <tr key={d.id}>
                <td>{d.name}</td>
                <td>{d.platform}</td>
                <td>{d.status === 'retired' ? t('user.device.retired') : t('user.device.active')}</td>
                <td>{date(d.enrolledAt, true)}</td>
                <td>{date(d.lastSeenAt, true)}</td>
                <td>
                  {d.status === 'enrolled' && (
                    <button type="button" class="danger small" disabled={act.busy} onClick={() => retire(d)}>
                      {t('user.device.retire', { name: d.name })}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('user.history')}</h2>
      <p class="muted">{t('user.historyIntro')}</p>
      <ErrorNote error={creds.error} />
      {!creds.data && !creds.error && <Loading />}
      {creds.data && creds.data.items.length === 0 && <p>{t('user.noCerts')}</p>}
      {creds.data && creds.data.items.length > 0 && <CertTimeline items={creds.data.items} onRevoke={revoke} busy={act.busy} />}
    </Page>
  );
}
