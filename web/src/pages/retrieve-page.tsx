import { useEffect, useState } from 'preact/hooks';
import { Page } from '../components/page.tsx';
import { ProgressSteps, type Step, type StepStatus } from '../components/progress-steps.tsx';
import { useDeviceRecord } from '../components/use-device.ts';
import { apiFetch } from '../device/api-error.ts';
import { deviceSession } from '../device/device-client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useRoute } from '../router.tsx';

type StepId = 'device' | 'policy' | 'signing' | 'history' | 'saved' | 'confirmed';
const ORDER: StepId[] = ['device', 'policy', 'signing', 'history', 'saved', 'confirmed'];

/**
 * /smime/retrieve?r=…: the page a notification opens. Marks the campaign recipient opened and
 * checks the device; the retrieval steps themselves are filled in by the retrieval module.
 */
export function RetrievePage() {
  const { t } = useI18n();
  const { query } = useRoute();
  const recipient = query.get('r');
  const [record] = useDeviceRecord();
  const [status, setStatus] = useState<Record<StepId, StepStatus>>({ device: 'active', policy: 'pending', signing: 'pending', history: 'pending', saved: 'pending', confirmed: 'pending' });
  const [history] = useState<{ done: number; total: number } | null>(null);

  useEffect(() => {
    if (!recipient) return;
    // Best effort: the campaign counts the open; the page works the same if this fails.
    apiFetch(`/api/recipients/${encodeURIComponent(recipient)}/opened`, { method: 'POST' }).catch((error: unknown) => console.warn('marking the notice opened failed', error));
  }, [recipient]);

  useEffect(() => {
    if (record === undefined) return;
    if (record === null) {
      setStatus((s) => ({ ...s, device: 'failed' }));
      return;
    }
    deviceSession(record).then(
      () => setStatus((s) => ({ ...s, device: 'done' })),
      () => setStatus((s) => ({ ...s, device: 'failed' })),
    );
  }, [record]);

  const label = (id: StepId) =>
    id === 'history' ? (history ? t('retrieve.step.history', history) : t('retrieve.step.historyUnknown')) : t(`retrieve.step.${id}`);
  const steps: Step[] = ORDER.map((id) => ({ id, label: label(id), status: status[id] }));

  return (
    <Page title={t('retrieve.title')}>
      <p>{t('retrieve.intro')}</p>
      <ProgressSteps steps={steps} label={t('retrieve.progress')} />
      {record === null && <p role="alert">{t('retrieve.notEnrolled')}</p>}
      {status.device === 'done' && <p role="status">{t('retrieve.waiting')}</p>}
    </Page>
  );
}
