import { useState } from 'preact/hooks';
import { useClient } from '../api/session.tsx';
import type { Recipient } from '../api/types.ts';
import { useCampaignEvents } from '../api/use-campaign-events.ts';
import { useLoad } from '../api/use-load.ts';
import { Funnel } from '../components/funnel.tsx';
import { ErrorNote, Loading, Page, StatusNote } from '../components/page.tsx';
import { useAction } from '../components/use-action.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { AdminMessageKey } from '../i18n/catalogue.ts';

const STATES = ['pending', 'sending', 'sent', 'opened', 'retrieved', 'failed', 'skipped'] as const;

/** One campaign, live: progress bar, funnel, failures by reason, recipients by state, actions. */
export function CampaignPage(props: { id: string }) {
  const { t, date } = useI18n();
  const client = useClient();
  const [tick, setTick] = useState(0);
  const { data, live, failed } = useCampaignEvents(props.id, tick);
  const [state, setState] = useState('');
  const path = `/campaigns/${encodeURIComponent(props.id)}`;
  // Refetch the lists whenever the live counts change.
  const version = data ? JSON.stringify(data.progress) : '';
  const failures = useLoad(() => client.get<{ items: { state: string; reason: string; n: number }[] }>(`${path}/failures`), [path, version]);
  const recipients = useLoad(() => client.get<{ items: Recipient[] }>(`${path}/recipients?limit=100${state ? `&state=${state}` : ''}`), [path, state, version]);
  const [note, setNote] = useState<string | null>(null);
  const act = useAction();
  const action = (name: 'pause' | 'resume' | 'cancel') =>
    void act.run(async () => {
      await client.send('POST', `${path}/${name}`);
      setTick((n) => n + 1);
    });
  const retry = () =>
    void act.run(async () => {
      const r = await client.send<{ requeued: number }>('POST', `${path}/retry-failed`);
      setNote(t('campaign.retried', { n: r.requeued }));
      setTick((n) => n + 1);
    });

  if (!data) return <Page title={t('campaign.title')}>{failed ? <ErrorNote error={recipients.error ?? new Error(t('campaign.unavailable'))} /> : <Loading />}</Page>;
  const { campaign, progress } = data;
  const open = (progress.states.pending ?? 0) + (progress.states.sending ?? 0);
  const done = progress.total - open;
  const over = campaign.status === 'done' || campaign.status === 'cancelled';
  return (
    <Page title={`${t('campaign.title')} · ${date(campaign.createdAt, true)}`}>
      <p>
        <span class={`badge badge-${campaign.status}`} data-testid="campaign-status">
          {t(`status.${campaign.status}` as AdminMessageKey)}
        </span>{' '}
        {t(`channel.${campaign.channel}` as AdminMessageKey)} {live && <span class="badge badge-live">{t('campaign.live')}</span>}
      </p>
      <div class="actions">
        {campaign.status === 'running' && (
          <button type="button" class="secondary" disabled={act.busy} onClick={() => action('pause')}>
            {t('campaign.pause')}
          </button>
        )}
        {campaign.status === 'paused' && (
          <button type="button" disabled={act.busy} onClick={() => action('resume')}>
            {t('campaign.resume')}
          </button>
        )}
        {!over && (
          <button type="button" class="danger" disabled={act.busy} onClick={() => action('cancel')}>
            {t('campaign.cancel')}
          </button>
        )}
        {(progress.states.failed ?? 0) > 0 && campaign.status !== 'cancelled' && (
          <button type="button" disabled={act.busy} onClick={retry}>
            {t('campaign.retry')}
          </button>
        )}
      </div>
      <ErrorNote error={act.error} />
      <StatusNote text={note} />
      <h2 id="progress-h">{t('campaign.progress')}</h2>
      <progress class="big" aria-labelledby="progress-h" max={Math.max(progress.total, 1)} value={done} />
      <p data-testid="progress-text">{t('campaign.progressText', { done, total: progress.total })}</p>
      <h2>{t('campaign.funnel')}</h2>
      <Funnel progress={progress} />
      <h2>{t('campaign.failures')}</h2>
      {failures.data && failures.data.items.length === 0 && <p>{t('campaign.noFailures')}</p>}
      {failures.data && failures.data.items.length > 0 && (
        <ul>
          {failures.data.items.map((f) => (
            <li key={`${f.state}-${f.reason}`}>
              {t(`state.${f.state}` as AdminMessageKey)} · {f.reason}: {f.n}
            </li>
          ))}
        </ul>
      )}
      <h2>{t('campaign.recipients')}</h2>
      <div class="row">
        <label for="r-state">{t('campaign.filter')}</label>
        <select id="r-state" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
          <option value="">{t('campaign.all')}</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {t(`state.${s}` as AdminMessageKey)} ({progress.states[s] ?? 0})
            </option>
          ))}
        </select>
      </div>
      <ErrorNote error={recipients.error} />
      {recipients.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('users.email')}</th>
              <th scope="col">{t('campaigns.channel')}</th>
              <th scope="col">{t('campaign.state')}</th>
              <th scope="col">{t('campaign.attempts')}</th>
              <th scope="col">{t('campaign.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {recipients.data.items.map((r) => (
              <tr key={r.id}>
                <td>{r.email ?? '—'}</td>
                <td>{t(`channel.${r.channel}` as AdminMessageKey)}</td>
                <td>{t(`state.${r.state}` as AdminMessageKey)}</td>
                <td>{r.attempts}</td>
                <td>{r.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
