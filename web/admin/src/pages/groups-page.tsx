import { useState } from 'preact/hooks';
import { useClient } from '../api/session.tsx';
import type { Group } from '../api/types.ts';
import { useLoad } from '../api/use-load.ts';
import { ErrorNote, Loading, Page, StatusNote } from '../components/page.tsx';
import { useAction } from '../components/use-action.ts';
import { useI18n } from '../i18n/i18n.tsx';

/** Groups (the unit policies are assigned to): create, add members. */
export function GroupsPage() {
  const { t } = useI18n();
  const client = useClient();
  const groups = useLoad(() => client.get<{ items: Group[] }>('/groups'), []);
  const [name, setName] = useState('');
  const [group, setGroup] = useState('');
  const [email, setEmail] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const act = useAction();
  const create = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      const g = await client.send<Group>('POST', '/groups', { name });
      setNote(t('groups.created', { name: g.name }));
      setName('');
      groups.reload();
    });
  };
  const chosen = group || groups.data?.items[0]?.name || '';
  const addMember = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      await client.send('POST', `/groups/${encodeURIComponent(chosen)}/members`, { email });
      setNote(t('groups.memberAdded', { email, group: chosen }));
      setEmail('');
      groups.reload();
    });
  };
  return (
    <Page title={t('groups.title')}>
      <ErrorNote error={groups.error ?? act.error} />
      <StatusNote text={note} />
      {!groups.data && !groups.error && <Loading />}
      {groups.data && groups.data.items.length === 0 && <p>{t('groups.none')}</p>}
      {groups.data && groups.data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('groups.name')}</th>
              <th scope="col">{t('groups.members')}</th>
            </tr>
          </thead>
          <tbody>
            {groups.data.items.map((g) => (
              <tr key={g.id}>
                <td>{g.name}</td>
                <td>{g.memberCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('groups.create')}</h2>
      <form class="row" onSubmit={create}>
        <label for="group-name">{t('groups.name')}</label>
        <input id="group-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={act.busy}>
          {t('groups.create')}
        </button>
      </form>
      {groups.data && groups.data.items.length > 0 && (
        <>
          <h2>{t('groups.addMember')}</h2>
          <form class="row" onSubmit={addMember}>
            <label for="member-group">{t('groups.group')}</label>
            <select id="member-group" value={chosen} onChange={(e) => setGroup((e.target as HTMLSelectElement).value)}>
              {groups.data.items.map((g) => (
                <option key={g.id} value={g.name}>
                  {g.name}
                </option>
              ))}
            </select>
            <label for="member-email">{t('groups.memberEmail')}</label>
            <input id="member-email" type="email" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
            <button type="submit" disabled={act.busy}>
              {t('groups.addButton')}
            </button>
          </form>
        </>
      )}
    </Page>
  );
}
