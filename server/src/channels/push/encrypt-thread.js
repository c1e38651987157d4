/**
 * The push encryption thread (plain JavaScript: worker threads do not get tsx's loader). Receives
 * batches of `[subscription, payload, options]` for web-push's request builder and answers each
 * batch with one message: per entry its request details, or the builder's error message.
 */
import { parentPort } from 'node:worker_threads';
import webPush from 'web-push';

parentPort?.on('message', (batch) => {
  const transfer = [];
  const answers = batch.map(([subscription, payload, options]) => {
    try {
      const { endpoint, headers, body } = webPush.generateRequestDetails(subscription, Buffer.from(payload), options);
      // The body is a view of a shared pool: cloning it would copy the whole pool. Its own
      // buffer, moved rather than copied, is what crosses.
      const own = new Uint8Array(body.length);
      own.set(body);
      transfer.push(own.buffer);
      return { endpoint, headers, body: own };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  });
  parentPort?.postMessage(answers, transfer);
});
