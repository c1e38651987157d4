/**
 * The push encryption thread (plain JavaScript: worker threads do not get tsx's loader). Receives
 * batches of `[subscription, payload, options]` for web-push's request builder and answers each
 * batch with one message: per entry its request details, or the builder's error message.
 */
import { parentPort } from 'node:worker_threads';
import webPush from 'web-push';

parentPort?.on('message', (batch) => {
  parentPort?.postMessage(
    batch.map(([subscription, payload, options]) => {
      try {
        const { endpoint, headers, body } = webPush.generateRequestDetails(subscription, Buffer.from(payload), options);
        return { endpoint, headers, body };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
});
