import type { Progress } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { AdminMessageKey } from '../i18n/catalogue.ts';

const STEPS = [
  ['campaign.targeted', 'targeted'],
  ['campaign.sent', 'sent'],
  ['campaign.opened', 'opened'],
  ['campaign.retrieved', 'retrieved'],
] as const;

/**
 * The funnel targeted → sent → opened → retrieved: SVG bars sized by attributes (no inline
 * style under the CSP), with the numbers as text so they are read out and testable.
 */
export function Funnel(props: { progress: Progress }) {
  const { t } = useI18n();
  const total = Math.max(props.progress.total, 1);
  const value = (k: (typeof STEPS)[number][1]) => (k === 'targeted' ? props.progress.total : props.progress.funnel[k]);
  return (
    <ol class="funnel">
      {STEPS.map(([label, k]) => {
        const n = value(k);
        const w = ((n / total) * 100).toFixed(1);
        return (
          <li key={k} class="funnel-step" data-step={k}>
            <span class="funnel-label">{t(label as AdminMessageKey)}</span>
            <svg class="funnel-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
              <rect class="bar-track" x="0" y="0" width="100" height="8" />
              <rect class={`bar-fill funnel-${k}`} x="0" y="0" width={w} height="8" />
            </svg>
            <span class="funnel-n" data-testid={`funnel-${k}`}>
              {n}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
