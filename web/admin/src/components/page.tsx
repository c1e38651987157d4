import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { useI18n } from '../i18n/i18n.tsx';

/** A console page: its h1 and the document title. */
export function Page(props: { title: string; children?: ComponentChildren }) {
  const { t } = useI18n();
  useEffect(() => {
    document.title = `${props.title} · ${t('app.name')}`;
  }, [props.title, t]);
  return (
    <>
      <h1>{props.title}</h1>
      {props.children}
    </>
  );
}

/** An error from the API, announced to screen readers. */
export function ErrorNote(props: { error: Error | null | undefined }) {
  const { t } = useI18n();
  if (!props.error) return null;
  return (
    <p class="error" role="alert">
      {t('common.error', { message: props.error.message })}
    </p>
  );
}

/** A polite status line (results of an action). */
export function StatusNote(props: { text: string | null }) {
  return (
    <p class="note" role="status">
      {props.text ?? ''}
    </p>
  );
}

export function Loading() {
  const { t } = useI18n();
  return <p class="muted">{t('common.loading')}</p>;
}
