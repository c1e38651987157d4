import { useI18n } from '../i18n/i18n.tsx';

export type StepStatus = 'pending' | 'active' | 'done' | 'failed';
export interface Step {
  id: string;
  label: string;
  status: StepStatus;
}

/** A labelled progress bar and the ordered list of steps with their status in words. */
export function ProgressSteps(props: { steps: Step[]; label: string }) {
  const { t } = useI18n();
  const done = props.steps.filter((s) => s.status === 'done').length;
  return (
    <section class="progress" aria-label={props.label}>
      <progress max={props.steps.length} value={done} aria-label={props.label} />
      <ol class="steps">
        {props.steps.map((s) => (
          <li key={s.id} class={`step step-${s.status}`} aria-current={s.status === 'active' ? 'step' : undefined}>
            <span class="step-label">{s.label}</span>
            <span class="step-status">{t(`retrieve.status.${s.status}`)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
