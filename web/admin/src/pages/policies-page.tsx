import { useEffect, useState } from 'preact/hooks';
import { useClient } from '../api/session.tsx';
import type { Group, Policy, PolicySettings } from '../api/types.ts';
import { useLoad } from '../api/use-load.ts';
import { ErrorNote, Loading, Page, StatusNote } from '../components/page.tsx';
import { DEFAULT_SETTINGS, PolicySettingsForm } from '../components/policy-settings-form.tsx';
import { useAction } from '../components/use-action.ts';
import { useI18n } from '../i18n/i18n.tsx';

type Mode = 'none' | 'include' | 'exclude';

/** Create or edit a policy: every setting, the group assignments, and the target count before saving. */
export function PoliciesPage() {
  const { t } = useI18n();
  const client = useClient();
  const policies = useLoad(() => client.get<{ items: Policy[] }>('/policies'), []);
  const groups = useLoad(() => client.get<{ items: Group[] }>('/groups'), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [settings, setSettings] = useState<PolicySettings>(DEFAULT_SETTINGS);
  const [modes, setModes] = useState<Record<string, Mode>>({});
  const [count, setCount] = useState<number | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const act = useAction();

  const pick = (p: Policy | null) => {
    setEditing(p?.name ?? null);
    setName(p?.name ?? '');
    setSettings(p ? { ...DEFAULT_SETTINGS, ...p.settings } : DEFAULT_SETTINGS);
    setModes(Object.fromEntries((p?.assignments ?? []).map((a) => [a.groupName, a.mode])));
    setNote(null);
  };
  const include = Object.keys(modes).filter((g) => modes[g] === 'include');
  const exclude = Object.keys(modes).filter((g) => modes[g] === 'exclude');
  const key = JSON.stringify([include, exclude]);
  useEffect(() => {
    let live = true;
    client.send<{ targetCount: number }>('POST', '/policies/preview-audience', { include, exclude }).then(
      (r) => live && setCount(r.targetCount),
      () => live && setCount(null),
    );
    return () => {
      live = false;
    };
  }, [key, client]);

  const save = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      if (editing) await client.send('PUT', `/policies/${encodeURIComponent(editing)}/settings`, settings);
      else await client.send('POST', '/policies', { name, settings });
      const saved = await client.send<Policy>('PUT', `/policies/${encodeURIComponent(editing ?? name)}/assignments`, { include, exclude });
      setNote(t('policies.saved', { name: saved.name, n: saved.targetCount ?? 0 }));
      setEditing(saved.name);
      policies.reload();
    });
  };

  return (
    <Page title={t('policies.title')}>
      <h2>{t('policies.list')}</h2>
      <ErrorNote error={policies.error ?? groups.error} />
      {!policies.data && !policies.error && <Loading />}
      {policies.data && policies.data.items.length === 0 && <p>{t('policies.none')}</p>}
      <ul class="links">
        {policies.data?.items.map((p) => (
          <li key={p.id}>
            <button type="button" class="link" aria-pressed={editing === p.name} onClick={() => pick(p)}>
              {t('policies.edit', { name: p.name })}
            </button>
          </li>
        ))}
        <li>
          <button type="button" class="link" aria-pressed={editing === null} onClick={() => pick(null)}>
            {t('policies.new')}
          </button>
        </li>
      </ul>
      <h2>{editing ? t('policies.edit', { name: editing }) : t('policies.new')}</h2>
      <form class="stack" onSubmit={save}>
        <div class="field">
          <label for="p-name">{t('policies.name')}</label>
          <input id="p-name" required disabled={editing !== null} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <PolicySettingsForm value={settings} onChange={setSettings} />
        <fieldset>
          <legend>{t('policies.assignments')}</legend>
          <p class="muted">{t('policies.assignmentsIntro')}</p>
          {groups.data?.items.map((g) => (
            <div class="field" key={g.id}>
              <label for={`assign-${g.id}`}>{t('policies.modeFor', { group: g.name })}</label>
              <select id={`assign-${g.id}`} value={modes[g.name] ?? 'none'} onChange={(e) => setModes({ ...modes, [g.name]: (e.target as HTMLSelectElement).value as Mode })}>
                <option value="none">{t('policies.mode.none')}</option>
                <option value="include">{t('policies.mode.include')}</option>
                <option value="exclude">{t('policies.mode.exclude')}</option>
              </select>
            </div>
          ))}
        </fieldset>
        <p class="targets" role="status" aria-live="polite">
          {count === null ? '' : t('policies.targets', { n: count })}
        </p>
        <button type="submit" disabled={act.busy}>
          {t('policies.save')}
        </button>
      </form>
      <ErrorNote error={act.error} />
      <StatusNote text={note} />
    </Page>
  );
}
