import { useState } from 'preact/hooks';
import { useClient } from '../api/session.tsx';
import type { Campaign, Policy } from '../api/types.ts';
import { useLoad } from '../api/use-load.ts';
import { ErrorNote, Loading, Page, StatusNote } from '../components/page.tsx';
import { useAction } from '../components/use-action.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { AdminMessageKey } from '../i18n/catalogue.ts';
import { Link, useRoute } from '../router.tsx';

type Channel = '' | 'push' | 'email' | 'pushThenEmail';

/** Start a campaign (a dry run shows the audience first) and list recent ones. */
export function CampaignsPage() {
  const { t, date } = useI18n();
  const client = useClient();
  const { navigate } = useRoute();
  const campaigns = useLoad(() => client.get<{ items: Campaign[] }>('/campaigns'), []);
  const policies = useLoad(() => client.get<{ items: Policy[] }>('/policies'), []);
  const [policy, setPolicy] = useState('');
  const [channel, setChannel] = useState<Channel>('');
  const [dry, setDry] = useState<string | null>(null);
  const act = useAction();
  const chosen = policy || policies.data?.items[0]?.name || '';
  const body = (dryRun: boolean) => ({ policy: chosen, ...(channel ? { channel } : {}), dryRun });

  const dryRun = () =>
    void act.run(async () => {
      const r = await client.send<{ audience: number; queueable: number; channel: string }>('POST', '/campaigns', body(true));
      setDry(t('campaigns.dryRunResult', { audience: r.audience, queueable: r.queueable, channel: t(`channel.${r.channel}` as AdminMessageKey) }));
    });
  const start = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      const r = await client.send<{ campaign: Campaign }>('POST', '/campaigns', body(false));
      navigate(`/campaigns/${encodeURIComponent(r.campaign.id)}`);
    });
  };

  return (
    <Page title={t('campaigns.title')}>
      <h2>{t('campaigns.start')}</h2>
      <form class="row" onSubmit={start}>
        <label for="c-policy">{t('campaigns.policy')}</label>
        <select id="c-policy" value={chosen} onChange={(e) => setPolicy((e.target as HTMLSelectElement).value)}>
          {policies.data?.items.map((p) => (
            <option key={p.id} value={p.name}>
              {p.name}
            </option>
          ))}
        </select>
        <label for="c-channel">{t('campaigns.channel')}</label>
        <select id="c-channel" value={channel} onChange={(e) => setChannel((e.target as HTMLSelectElement).value as Channel)}>
          <option value="">{t('campaigns.channelDefault')}</option>
          <option value="push">{t('channel.push')}</option>
          <option value="email">{t('channel.email')}</option>
          <option value="pushThenEmail">{t('channel.pushThenEmail')}</option>
        </select>
        <button type="button" class="secondary" disabled={act.busy || !chosen} onClick={dryRun}>
          {t('campaigns.dryRun')}
        </button>
        <button type="submit" disabled={act.busy || !chosen}>
          {t('campaigns.startButton')}
        </button>
      </form>
      <StatusNote text={dry} />
      <ErrorNote error={act.error ?? policies.error} />
      <h2>{t('campaigns.list')}</h2>
      <ErrorNote error={campaigns.error} />
      {!campaigns.data && !campaigns.error && <Loading />}
      {campaigns.data && campaigns.data.items.length === 0 && <p>{t('campaigns.none')}</p>}
      {campaigns.data && campaigns.data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('campaigns.created')}</th>
              <th scope="col">{t('campaigns.channel')}</th>
              <th scope="col">{t('campaigns.status')}</th>
              <th scope="col">{t('campaigns.total')}</th>
            </tr>
          </thead>
          <tbody>
            {campaigns.data.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/campaigns/${encodeURIComponent(c.id)}`}>{t('campaigns.open', { date: date(c.createdAt, true) })}</Link>
                </td>
                <td>{t(`channel.${c.channel}` as AdminMessageKey)}</td>
                <td>{t(`status.${c.status}` as AdminMessageKey)}</td>
                <td>{c.total}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
