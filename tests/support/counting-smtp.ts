/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that accepts every message and counts the
 * connections made to it: for tests of how a pool reuses and replaces its connections.
 */
import { once } from 'node:events';
import type net from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CountingSmtp {
  url: string;
  /** Connections opened since the start or the last `reset()`. */
  connections(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingSmtp(): Promise<CountingSmtp> {
  let connections = 0;
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as net.AddressInfo).port}`,
    connections: () => connections,
    reset: () => {
      connections = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
