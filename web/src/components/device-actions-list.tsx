import { useEffect, useState } from 'preact/hooks';
import { type DeviceAction, fetchActions } from '../device/device-actions.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { DeviceRecord } from '../keychain/device-store.ts';
import { Link } from '../router.tsx';

/** The in-app "Notifications" section: what to do on this device, from the server. */
export function DeviceActionsList({ record }: { record: DeviceRecord }) {
  const { t, locale } = useI18n();
  const [actions, setActions] = useState<DeviceAction[] | null>(null);
  useEffect(() => {
    fetchActions(record).then(setActions, () => setActions(null));
  }, [record]);
  if (actions === null) return null;
  const date = (iso: string) => new Date(iso).toLocaleDateString(locale);
  return (
    <section aria-labelledby="actions-title" id="actions">
      <h2 id="actions-title">{t('actions.title')}</h2>
      {actions.length === 0 && <p>{t('actions.none')}</p>}
      <ul class="actions">
        {actions.map((a) => (
          <li key={`${a.kind}-${a.kind === 'retrieve' ? a.recipientId : a.thumbprint}`} data-kind={a.kind}>
            {a.kind === 'retrieve' && (
              <>
                {t('actions.retrieve')} <Link to={a.recipientId ? `/smime/retrieve?r=${encodeURIComponent(a.recipientId)}` : '/smime/retrieve'}>{t('actions.retrieveGo')}</Link>
              </>
            )}
            {a.kind === 'renewSigning' && (
              <>
                {t('actions.renewSigning', { date: date(a.notAfter) })} <Link to="/smime/retrieve">{t('actions.renewGo')}</Link>
              </>
            )}
            {a.kind === 'expiring' && t('actions.expiring', { date: date(a.notAfter) })}
          </li>
        ))}
      </ul>
    </section>
  );
}
