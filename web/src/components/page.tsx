import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { useI18n } from '../i18n/i18n.tsx';

/** A page: its h1 and the document title. */
export function Page(props: { title: string; children: ComponentChildren }) {
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
