import type { Credential } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { AdminMessageKey } from '../i18n/catalogue.ts';

type Mark = 'current' | 'revoked' | 'expired' | 'superseded' | 'active' | 'deleted';

/** What a certificate is now: revoked and deleted first, then expired, then current. */
export function markOf(c: Credential, now: number): Mark {
  if (c.status === 'revoked' || c.status === 'deleted') return c.status;
  if (Date.parse(c.notAfter) <= now) return 'expired';
  if (c.current) return 'current';
  return c.status;
}

/**
 * The certificate history as a timeline: one SVG bar per certificate across the span of all of
 * them (positions are SVG attributes, not style: the CSP allows no inline style), a dashed line
 * for today, and the marks in text beside each bar.
 */
export function CertTimeline(props: { items: Credential[]; onRevoke?: (c: Credential) => void; busy?: boolean }) {
  const { t, date } = useI18n();
  const now = Date.now();
  const from = Math.min(...props.items.map((c) => Date.parse(c.notBefore)), now);
  const to = Math.max(...props.items.map((c) => Date.parse(c.notAfter)), now);
  const span = Math.max(to - from, 1);
  const pos = (ms: number) => ((ms - from) / span) * 100;
  return (
    <ol class="timeline">
      {props.items.map((c) => {
        const mark = markOf(c, now);
        const x = pos(Date.parse(c.notBefore));
        const w = Math.max(pos(Date.parse(c.notAfter)) - x, 0.5);
        const validity = t('cert.validity', { from: date(c.notBefore), to: date(c.notAfter) });
        return (
          <li key={c.id} class={`cert cert-${mark}`}>
            <div class="cert-head">
              <strong>{t(`purpose.${c.purpose}` as AdminMessageKey)}</strong>
              <span class={`badge badge-${mark}`}>{t(`cert.${mark}` as AdminMessageKey)}</span>
              <span>{validity}</span>
            </div>
            <svg class="bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label={validity}>
              <rect class="bar-track" x="0" y="1" width="100" height="4" />
              <rect class={`bar-fill bar-${mark}`} x={x.toFixed(2)} y="1" width={w.toFixed(2)} height="4" />
              <line class="bar-now" x1={pos(now).toFixed(2)} x2={pos(now).toFixed(2)} y1="0" y2="6" />
            </svg>
            <div class="cert-meta">
              <span class="mono">{t('cert.serial', { serial: c.serialHex })}</span> <span>{c.subject}</span>
              {props.onRevoke && c.status !== 'revoked' && c.status !== 'deleted' && (
                <button type="button" class="danger small" disabled={props.busy} aria-label={t('cert.revokeLabel', { serial: c.serialHex })} onClick={() => props.onRevoke?.(c)}>
                  {t('cert.revoke')}
                </button>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
