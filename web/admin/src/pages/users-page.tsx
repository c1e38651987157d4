import { useState } from 'preact/hooks';
import { useClient } from '../api/session.tsx';
import type { Page as PageOf, User } from '../api/types.ts';
import { useLoad } from '../api/use-load.ts';
import { ErrorNote, Loading, Page, StatusNote } from '../components/page.tsx';
import { useAction } from '../components/use-action.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRoute } from '../router.tsx';

/** Search users; add one. */
export function UsersPage() {
  const { t } = useI18n();
  const client = useClient();
  const { query, navigate } = useRoute();
  const q = query.get('q') ?? '';
  const [draft, setDraft] = useState(q);
  const [pages, setPages] = useState<User[]>([]);
  const { data, error, reload } = useLoad(async () => {
    setPages([]);
    return client.get<PageOf<User>>(`/users?limit=50${q ? `&query=${encodeURIComponent(q)}` : ''}`);
  }, [q]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const more = async () => {
    const after = next ?? data?.next;
    if (!after) return;
    const page = await client.get<PageOf<User>>(`/users?limit=50&after=${encodeURIComponent(after)}${q ? `&query=${encodeURIComponent(q)}` : ''}`);
    setPages((p) => [...p, ...page.items]);
    setNext(page.next);
  };
  const items = [...(data?.items ?? []), ...pages];
  const nextCursor = next === undefined ? data?.next : next;

  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [added, setAdded] = useState<string | null>(null);
  const add = useAction();
  const submitAdd = (e: Event) => {
    e.preventDefault();
    void add.run(async () => {
      const u = await client.send<User>('POST', '/users', { email, ...(name ? { displayName: name } : {}) });
      setAdded(t('users.added', { email: u.email }));
      setEmail('');
      setName('');
      reload();
    });
  };

  return (
    <Page title={t('users.title')}>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(draft ? `/users?q=${encodeURIComponent(draft)}` : '/users');
        }}
      >
        <label for="user-search">{t('users.search')}</label>
        <input id="user-search" type="search" value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} />
        <button type="submit">{t('users.searchButton')}</button>
      </form>
      <ErrorNote error={error} />
      {!data && !error && <Loading />}
      {data && items.length === 0 && <p>{t('users.none')}</p>}
      {items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('users.email')}</th>
              <th scope="col">{t('users.name')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((u) => (
              <tr key={u.id}>
                <td>
                  <Link to={`/users/${encodeURIComponent(u.email)}`}>{u.email}</Link>
                </td>
                <td>{u.displayName ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextCursor && (
        <button type="button" class="secondary" onClick={() => void more()}>
          {t('common.more')}
        </button>
      )}
      <h2>{t('users.add')}</h2>
      <form class="row" onSubmit={submitAdd}>
        <label for="new-email">{t('users.email')}</label>
        <input id="new-email" type="email" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        <label for="new-name">{t('users.name')}</label>
        <input id="new-name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={add.busy}>
          {t('users.addButton')}
        </button>
      </form>
      <ErrorNote error={add.error} />
      <StatusNote text={added} />
    </Page>
  );
}
