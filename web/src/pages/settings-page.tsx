import { useEffect, useState } from 'preact/hooks';
import { Page } from '../components/page.tsx';
import { useDeviceRecord } from '../components/use-device.ts';
import { subscribeAndReport, unsubscribeAndReport } from '../device/push-client.ts';
import { pushSupport } from '../device/push-support.ts';
import { type Locale, LOCALE_NAMES, LOCALES } from '../i18n/catalogue.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { SwBridge } from '../sw-bridge.ts';

/** /settings: notifications on/off (a user gesture asks for permission) and the language. */
export function SettingsPage(props: { bridge: SwBridge }) {
  const { t, locale, setLocale } = useI18n();
  const [record] = useDeviceRecord();
  const support = pushSupport();
  const [subscribed, setSubscribed] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [denied, setDenied] = useState(typeof Notification !== 'undefined' && Notification.permission === 'denied');

  useEffect(() => {
    if (support !== 'supported') return;
    props.bridge.ready().then(async (reg) => setSubscribed(!!(await reg?.pushManager.getSubscription())), () => setSubscribed(false));
    return props.bridge.onMessage((m) => {
      if (m.type === 'push-subscription-changed') setSubscribed(m.ok === true);
    });
  }, [props.bridge, support]);

  const toggle = async () => {
    if (!record) return;
    setBusy(true);
    setError(null);
    try {
      const reg = await props.bridge.ready();
      if (!reg) throw new Error('no service worker');
      if (subscribed) {
        await unsubscribeAndReport(reg.pushManager, record);
        setSubscribed(false);
      } else {
        const permission = await Notification.requestPermission();
        if (permission !== 'granted') {
          setDenied(permission === 'denied');
          return;
        }
        await subscribeAndReport(reg.pushManager, record);
        setSubscribed(true);
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={t('settings.title')}>
      <h2>{t('settings.notifications')}</h2>
      {support === 'ios-needs-install' && <p>{t('settings.ios')}</p>}
      {support === 'unsupported' && <p>{t('settings.unsupported')}</p>}
      {support === 'supported' && !record && <p>{t('settings.needsEnrollment')}</p>}
      {support === 'supported' && record && (
        <>
          <p id="push-state">{subscribed ? t('settings.pushOn') : t('settings.pushOff')}</p>
          {denied && !subscribed && <p role="alert">{t('settings.denied')}</p>}
          <button type="button" id="push-toggle" onClick={toggle} disabled={busy || subscribed === null}>
            {subscribed ? t('settings.turnOff') : t('settings.turnOn')}
          </button>
          {busy && <p role="status">{t('settings.working')}</p>}
          {error && (
            <p role="alert" class="error">
              {t('common.error', { message: error })}
            </p>
          )}
        </>
      )}
      <h2>
        <label for="language">{t('settings.language')}</label>
      </h2>
      <select id="language" value={locale} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </Page>
  );
}
