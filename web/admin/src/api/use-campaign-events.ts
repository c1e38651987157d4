import { useEffect, useState } from 'preact/hooks';
import type { Campaign, Progress } from './types.ts';

const POLL_MS = 2000;

export interface LiveCampaign {
  campaign: Campaign;
  progress: Progress;
}

/**
 * Follows /api/admin/campaigns/{id}/events (Server-Sent Events, same origin, cookie sent):
 * every `progress` event replaces the state; `end` closes the stream. `live` is true while the
 * stream is open. `tick` reopens it (after resume or retry).
 */
export function useCampaignEvents(id: string, tick: number): { data: LiveCampaign | null; live: boolean; failed: boolean } {
  const [data, setData] = useState<LiveCampaign | null>(null);
  const [live, setLive] = useState(false);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const source = new EventSource(`/api/admin/campaigns/${encodeURIComponent(id)}/events`);
    source.addEventListener('open', () => {
      setLive(true);
      setFailed(false);
    });
    source.addEventListener('progress', (e) => setData(JSON.parse((e as MessageEvent<string>).data) as LiveCampaign));
    // The stream ends with the campaign, but opens and retrievals keep coming: poll after that.
    let poll: ReturnType<typeof setInterval> | undefined;
    source.addEventListener('end', () => {
      source.close();
      setLive(false);
      poll = setInterval(() => {
        fetch(`/api/admin/campaigns/${encodeURIComponent(id)}`, { credentials: 'same-origin' })
          .then((r) => (r.ok ? (r.json() as Promise<LiveCampaign>) : null))
          .then((d) => d && setData(d))
          .catch(() => undefined);
      }, POLL_MS);
    });
    source.addEventListener('error', () => {
      // EventSource retries by itself unless the server refused (closed state).
      if (source.readyState === EventSource.CLOSED) {
        setLive(false);
        setFailed(true);
      }
    });
    return () => {
      source.close();
      clearInterval(poll);
    };
  }, [id, tick]);
  return { data, live, failed };
}
