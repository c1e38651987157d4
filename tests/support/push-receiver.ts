import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { resolve } from 'node:path';

/** A free TCP port on 127.0.0.1 (for peers that take a port number, not port 0). */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * The local Web Push service `web-push-testing` as a child process: it checks VAPID and TTL,
 * decrypts aes128gcm payloads and answers 201/410. `base` is http://localhost:PORT.
 */
export async function startPushReceiver(): Promise<{ base: string; stop(): Promise<void> }> {
  const port = await freePort();
  const script = resolve('node_modules/web-push-testing/src/bin/server.js');
  const child: ChildProcess = spawn(process.execPath, [script, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`web-push-testing exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Server running')) ok();
    });
  });
  return {
    base: `http://localhost:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill();
        await once(child, 'exit');
      }
    },
  };
}
