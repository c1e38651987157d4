import { useState } from 'preact/hooks';
import { Page } from '../components/page.tsx';
import { useDeviceRecord } from '../components/use-device.ts';
import { ApiError } from '../device/api-error.ts';
import { enrollDevice } from '../device/device-client.ts';
import type { MessageKey } from '../i18n/catalogue.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRoute } from '../router.tsx';

type State = { step: 'idle' } | { step: 'working' } | { step: 'done'; email: string } | { step: 'error'; key: MessageKey; message?: string };

function errorKey(error: unknown): { key: MessageKey; message?: string } {
  if (error instanceof ApiError) {
    if (error.code === 'not_found') return { key: 'enroll.unknown' };
    if (error.code === 'gone') return { key: error.reason === 'expired' ? 'enroll.expired' : 'enroll.used' };
    if (error.code === 'rate_limited') return { key: 'enroll.limited' };
    if (error.code === 'offline') return { key: 'common.offline' };
  }
  return { key: 'common.error', message: error instanceof Error ? error.message : String(error) };
}

/** /enroll?code=…: makes the device keys and registers them with the one-time code. */
export function EnrollPage() {
  const { t } = useI18n();
  const { query } = useRoute();
  const code = query.get('code')?.trim() ?? '';
  const [existing] = useDeviceRecord();
  const [name, setName] = useState('Web browser');
  const [state, setState] = useState<State>({ step: 'idle' });
  const supported = typeof crypto !== 'undefined' && !!crypto.subtle && typeof indexedDB !== 'undefined';

  const submit = async (e: Event) => {
    e.preventDefault();
    setState({ step: 'working' });
    try {
      const record = await enrollDevice(code, name.trim() || 'Web browser');
      setState({ step: 'done', email: record.email });
    } catch (error) {
      setState({ step: 'error', ...errorKey(error) });
    }
  };

  if (!code) {
    return (
      <Page title={t('enroll.title')}>
        <p role="alert" id="enroll-error" data-reason="missing">
          {t('enroll.noCode')}
        </p>
      </Page>
    );
  }
  return (
    <Page title={t('enroll.title')}>
      {!supported && <p role="alert">{t('enroll.unsupported')}</p>}
      {state.step === 'done' ? (
        <div role="status" id="enroll-done">
          <p>{t('enroll.done', { email: state.email })}</p>
          <p>
            <Link to="/settings">{t('enroll.next')}</Link>
          </p>
        </div>
      ) : (
        <>
          <p>{t('enroll.intro')}</p>
          {existing && <p>{t('enroll.alreadyEnrolled', { email: existing.email })}</p>}
          <form onSubmit={submit} class="stack">
            <label for="device-name">{t('enroll.name')}</label>
            <input id="device-name" value={name} maxLength={100} autoComplete="off" onInput={(e) => setName(e.currentTarget.value)} />
            <button type="submit" disabled={state.step === 'working' || !supported}>
              {t('enroll.submit')}
            </button>
          </form>
          {state.step === 'working' && <p role="status">{t('enroll.working')}</p>}
          {state.step === 'error' && (
            <p role="alert" id="enroll-error" class="error">
              {t(state.key, state.message ? { message: state.message } : undefined)}
            </p>
          )}
        </>
      )}
    </Page>
  );
}
