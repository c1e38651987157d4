import { useState } from 'preact/hooks';
import { ApiError } from '../api/admin-client.ts';
import { useClient } from '../api/session.tsx';
import { Page, StatusNote } from '../components/page.tsx';
import { useI18n } from '../i18n/i18n.tsx';

interface Item {
  key: string;
  file: File;
  email: string;
}

type Outcome = { file: string; email: string } & (
  | { ok: true; status: 'imported' | 'unchanged'; warnings: { code: string; message: string }[] }
  | { ok: false; code: string; reason: string }
);

/** "alice@example.com.p12" → alice@example.com; otherwise the admin types the user. */
export function guessEmail(fileName: string): string {
  const base = fileName.replace(/\.(p12|pfx)$/i, '');
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(base) ? base.toLowerCase() : '';
}

async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Bulk PKCS#12 import: drop many files, one password, a user per file. Each file goes through
 * the import API on its own, which writes a file whole or not at all; the result per file
 * shows the server's explanation, the same text the CLI prints.
 */
export function ImportPage() {
  const { t } = useI18n();
  const client = useClient();
  const [items, setItems] = useState<Item[]>([]);
  const [password, setPassword] = useState('');
  const [purpose, setPurpose] = useState<'smimeEncryption' | 'smimeSigning' | 'both'>('smimeEncryption');
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<Outcome[]>([]);

  const add = (files: FileList | null) => {
    if (!files) return;
    const next = [...files].filter((f) => /\.(p12|pfx)$/i.test(f.name)).map((file, i) => ({ key: `${Date.now()}-${i}-${file.name}`, file, email: guessEmail(file.name) }));
    setItems((old) => [...old, ...next]);
  };
  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const out: Outcome[] = [];
    for (const item of items) {
      try {
        const r = await client.send<{ status: 'imported' | 'unchanged'; warnings: { code: string; message: string }[] }>(
          'POST',
          `/users/${encodeURIComponent(item.email.trim())}/credentials/pkcs12`,
          { purpose, password, pkcs12: await base64Of(item.file), fileName: item.file.name },
        );
        out.push({ file: item.file.name, email: item.email, ok: true, status: r.status, warnings: r.warnings });
      } catch (error) {
        const reason = error instanceof ApiError ? (typeof error.details?.reason === 'string' ? `${error.message} (${error.details.reason})` : error.message) : (error as Error).message;
        out.push({ file: item.file.name, email: item.email, ok: false, code: error instanceof ApiError ? error.code : 'error', reason });
      }
      setResults([...out]);
    }
    setItems([]);
    setBusy(false);
  };
  const summary = results.length
    ? t('import.summary', {
        ok: results.filter((r) => r.ok && r.status === 'imported').length,
        unchanged: results.filter((r) => r.ok && r.status === 'unchanged').length,
        failed: results.filter((r) => !r.ok).length,
      })
    : null;

  return (
    <Page title={t('import.title')}>
      <p>{t('import.intro')}</p>
      <form class="stack" onSubmit={run}>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is a mouse shortcut; the file input inside is the keyboard path */}
        <div
          class={over ? 'drop drop-over' : 'drop'}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setOver(false);
            add(e.dataTransfer?.files ?? null);
          }}
        >
          <p>{t('import.drop')}</p>
          <label for="p12-files">{t('import.choose')}</label>
          <input id="p12-files" type="file" multiple accept=".p12,.pfx,application/x-pkcs12" onChange={(e) => add((e.target as HTMLInputElement).files)} />
        </div>
        <label for="p12-password">{t('import.password')}</label>
        <input id="p12-password" type="password" autocomplete="off" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        <label for="p12-purpose">{t('import.purpose')}</label>
        <select id="p12-purpose" value={purpose} onChange={(e) => setPurpose((e.target as HTMLSelectElement).value as typeof purpose)}>
          <option value="smimeEncryption">{t('purpose.smimeEncryption')}</option>
          <option value="smimeSigning">{t('purpose.smimeSigning')}</option>
          <option value="both">{t('purpose.both')}</option>
        </select>
        {items.length > 0 && (
          <table>
            <caption>{t('import.mapping')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('import.file')}</th>
                <th scope="col">{t('import.user')}</th>
                <td />
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.key}>
                  <td class="mono">{item.file.name}</td>
                  <td>
                    <input
                      type="email"
                      required
                      aria-label={t('import.userFor', { file: item.file.name })}
                      value={item.email}
                      onInput={(e) => {
                        const email = (e.target as HTMLInputElement).value;
                        setItems((old) => old.map((o) => (o.key === item.key ? { ...o, email } : o)));
                      }}
                    />
                  </td>
                  <td>
                    <button type="button" class="secondary small" onClick={() => setItems((old) => old.filter((o) => o.key !== item.key))}>
                      {t('import.remove', { file: item.file.name })}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <button type="submit" disabled={busy || items.length === 0}>
          {busy ? t('common.working') : t('import.submit', { n: items.length })}
        </button>
      </form>
      <StatusNote text={summary} />
      {results.length > 0 && (
        <>
          <h2>{t('import.results')}</h2>
          <ul class="results">
            {results.map((r) => (
              <li key={r.file} class={r.ok ? 'result-ok' : 'result-bad'} data-file={r.file}>
                <span class="mono">{r.file}</span> → {r.email}: <strong>{r.ok ? t(r.status === 'imported' ? 'import.imported' : 'import.unchanged') : t('import.failed')}</strong>
                {!r.ok && <span class="error"> {r.reason}</span>}
                {r.ok &&
                  r.warnings.map((w) => (
                    <span key={w.code} class="warn">
                      {' '}
                      {t('import.warning', { message: w.message })}
                    </span>
                  ))}
              </li>
            ))}
          </ul>
        </>
      )}
    </Page>
  );
}
