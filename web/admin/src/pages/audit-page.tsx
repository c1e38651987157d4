import { useState } from 'preact/hooks';
import { useClient } from '../api/session.tsx';
import type { AuditEntry } from '../api/types.ts';
import { useLoad } from '../api/use-load.ts';
import { ErrorNote, Loading, Page } from '../components/page.tsx';
import { useI18n } from '../i18n/i18n.tsx';

type Filter = { action: string; actor: string; target: string };

const query = (f: Filter, before?: string) =>
  new URLSearchParams(Object.entries({ ...f, limit: '100', ...(before ? { before } : {}) }).filter(([, v]) => v !== '')).toString();

/** The audit log, newest first, filtered by action, actor and target. */
export function AuditPage() {
  const { t, date } = useI18n();
  const client = useClient();
  const [draft, setDraft] = useState<Filter>({ action: '', actor: '', target: '' });
  const [filter, setFilter] = useState<Filter>(draft);
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const page = useLoad(async () => {
    setOlder([]);
    return client.get<{ items: AuditEntry[] }>(`/audit?${query(filter)}`);
  }, [JSON.stringify(filter)]);
  const items = [...(page.data?.items ?? []), ...older];
  const more = async () => {
    const last = items.at(-1);
    if (!last) return;
    const r = await client.get<{ items: AuditEntry[] }>(`/audit?${query(filter, last.id)}`);
    setOlder((o) => [...o, ...r.items]);
  };
  const field = (k: keyof Filter, label: string) => (
    <>
      <label for={`a-${k}`}>{label}</label>
      <input id={`a-${k}`} value={draft[k]} onInput={(e) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value })} />
    </>
  );
  return (
    <Page title={t('audit.title')}>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(draft);
        }}
      >
        {field('action', t('audit.action'))}
        {field('actor', t('audit.actor'))}
        {field('target', t('audit.target'))}
        <button type="submit">{t('audit.filter')}</button>
      </form>
      <ErrorNote error={page.error} />
      {!page.data && !page.error && <Loading />}
      {page.data && items.length === 0 && <p>{t('audit.none')}</p>}
      {items.length > 0 && (
        <table class="audit">
          <thead>
            <tr>
              <th scope="col">{t('audit.at')}</th>
              <th scope="col">{t('audit.actor')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.target')}</th>
              <th scope="col">{t('audit.details')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td>{date(e.at, true)}</td>
                <td>{e.actor}</td>
                <td class="mono">{e.action}</td>
                <td class="mono">{e.target ?? ''}</td>
                <td class="mono">{e.details ? JSON.stringify(e.details) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.data && page.data.items.length === 100 && (
        <button type="button" class="secondary" onClick={() => void more()}>
          {t('common.more')}
        </button>
      )}
    </Page>
  );
}
