import type { Hono } from 'hono';
import type { MetricsSnapshot } from '../domain/campaigns/types.ts';
import type { AppDeps } from './app-env.ts';

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Renders the delivery metrics in the Prometheus text exposition format (0.0.4). */
export function renderMetrics(m: MetricsSnapshot, now: number): string {
  const out: string[] = [];
  out.push('# HELP smime_portal_deliveries Campaign recipients by channel and state.', '# TYPE smime_portal_deliveries gauge');
  for (const r of m.byChannelState) out.push(`smime_portal_deliveries{channel="${esc(r.channel)}",state="${esc(r.state)}"} ${r.n}`);
  out.push('# HELP smime_portal_deliveries_unsent Failed and skipped recipients by channel and reason.', '# TYPE smime_portal_deliveries_unsent gauge');
  for (const r of m.byReason) out.push(`smime_portal_deliveries_unsent{channel="${esc(r.channel)}",state="${esc(r.state)}",reason="${esc(r.reason)}"} ${r.n}`);
  out.push('# HELP smime_portal_queue_depth Recipients due to be sent now.', '# TYPE smime_portal_queue_depth gauge', `smime_portal_queue_depth ${m.queueDepth}`);
  out.push(
    '# HELP smime_portal_queue_oldest_due_seconds Age of the oldest due recipient.',
    '# TYPE smime_portal_queue_oldest_due_seconds gauge',
    `smime_portal_queue_oldest_due_seconds ${m.oldestDueAt === null ? 0 : Math.max(0, (now - m.oldestDueAt) / 1000)}`,
  );
  out.push('# HELP smime_portal_funnel Recipients that reached each stage of the retrieval funnel.', '# TYPE smime_portal_funnel gauge');
  for (const stage of ['sent', 'opened', 'retrieved'] as const) out.push(`smime_portal_funnel{stage="${stage}"} ${m.funnel[stage]}`);
  return `${out.join('\n')}\n`;
}

/** GET /metrics: read from the database, so every process reports the whole fleet's queue. */
export function mountMetrics(app: Hono<never>, deps: AppDeps): void {
  app.get('/metrics', async (c) => {
    const now = deps.clock.now().getTime();
    const text = renderMetrics(await deps.store.campaigns.metrics(now), now);
    return c.body(text, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
}
