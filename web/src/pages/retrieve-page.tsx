import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { Page } from '../components/page.tsx';
import { ProgressSteps, type Step, type StepStatus } from '../components/progress-steps.tsx';
import { useDeviceRecord } from '../components/use-device.ts';
import { apiFetch } from '../device/api-error.ts';
import type { MessageKey } from '../i18n/catalogue.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRoute } from '../router.tsx';
import type { RetrievalError } from '../retrieval/retrieval-error.ts';
import { RETRIEVAL_STEPS, type RetrievalStep } from '../retrieval/retrieval-steps.ts';
import type { RetrievalOutcome } from '../retrieval/run-retrieval.ts';

type Statuses = Record<RetrievalStep, StepStatus>;
const initial = (): Statuses => ({ device: 'pending', policy: 'pending', signing: 'pending', history: 'pending', saved: 'pending', confirmed: 'pending' });

/**
 * /smime/retrieve?r=…: the page a notification opens. Marks the campaign recipient opened, then
 * fills the keychain with visible steps; a failed step shows why and a retry that resumes
 * (certificates already stored are skipped).
 */
export function RetrievePage() {
  const { t } = useI18n();
  const { query } = useRoute();
  const recipient = query.get('r');
  const [record] = useDeviceRecord();
  const [status, setStatus] = useState<Statuses>(initial);
  const [history, setHistory] = useState<{ done: number; total: number } | null>(null);
  const [failure, setFailure] = useState<RetrievalError | null>(null);
  const [outcome, setOutcome] = useState<RetrievalOutcome | null>(null);
  const running = useRef(false);

  useEffect(() => {
    if (!recipient) return;
    // Best effort: the campaign counts the open; the page works the same if this fails.
    apiFetch(`/api/recipients/${encodeURIComponent(recipient)}/opened`, { method: 'POST' }).catch((error: unknown) => console.warn('marking the notice opened failed', error));
  }, [recipient]);

  const start = useCallback(() => {
    if (!record || running.current) return;
    running.current = true;
    setFailure(null);
    setOutcome(null);
    setStatus(initial());
    // The crypto (pkijs/asn1js, zod) loads on demand: the page paints within its JS budget.
    import('../retrieval/run-retrieval.ts')
      .then(({ runRetrieval }) =>
        runRetrieval(record, (p) => {
          setStatus((s) => ({ ...s, [p.step]: p.status }));
          if (p.history) setHistory(p.history);
        }),
      )
      .then(
      (result) => {
        running.current = false;
        setOutcome(result);
      },
      (error: RetrievalError) => {
        running.current = false;
        console.error('retrieval failed', error);
        setStatus((s) => ({ ...s, [error.step ?? 'device']: 'failed' }));
        setFailure(error);
      },
    );
  }, [record]);

  useEffect(() => {
    if (record === null) setStatus((s) => ({ ...s, device: 'failed' }));
    else if (record) start();
  }, [record, start]);

  const label = (id: RetrievalStep) =>
    id === 'history' ? (history ? t('retrieve.step.history', history) : t('retrieve.step.historyUnknown')) : t(`retrieve.step.${id}` as MessageKey);
  const steps: Step[] = RETRIEVAL_STEPS.map((id) => ({ id, label: label(id), status: status[id] }));

  return (
    <Page title={t('retrieve.title')}>
      <p>{t('retrieve.intro')}</p>
      <ProgressSteps steps={steps} label={t('retrieve.progress')} />
      {record === null && <p role="alert">{t('retrieve.notEnrolled')}</p>}
      {failure && (
        <div role="alert" id="retrieve-error" class="error">
          <p>{t(`retrieval.error.${failure.reason ?? 'unknown'}` as MessageKey)}</p>
          <p>
            <small>{failure.message}</small>
          </p>
          <button type="button" id="retrieve-retry" onClick={start}>
            {t('common.retry')}
          </button>
        </div>
      )}
      {outcome && (
        <div role="status" id="retrieve-done">
          <p>{t(outcome.complete ? 'retrieval.done' : 'retrieval.doneIncomplete', { count: outcome.bundle.encryption.history.length })}</p>
          <p>{t(`retrieval.signing.${outcome.signing}` as MessageKey)}</p>
          {outcome.skipped > 0 && <p>{t('retrieval.resumed', { count: outcome.skipped })}</p>}
          <p>
            <Link to="/keychain">{t('home.openKeychain')}</Link> · <Link to="/smime/check">{t('nav.check')}</Link>
          </p>
        </div>
      )}
    </Page>
  );
}
