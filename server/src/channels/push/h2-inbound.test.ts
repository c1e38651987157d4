/**
 * Our HTTP/2 client's windows against a scripted peer (testing/h2-peer.ts): a response larger
 * than the windows we announce arrives whole because we replenish them, and the stream errors a
 * peer's WINDOW_UPDATE or an oversized header list amount to leave the connection in use.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, Flag, FrameType } from './h2-frames.ts';
import { CONNECTION_WINDOW, MAX_HEADER_LIST, STREAM_WINDOW } from './h2-inbound.ts';
import { type Conn, is, lit, u32, useScriptedPeer } from './testing/h2-peer.ts';

const { scenario, post } = useScriptedPeer();
const FRAME = 16_384;

describe('our receive windows', () => {
  it('a body larger than the stream and half the connection window arrives whole: we send WINDOW_UPDATE for both', async () => {
    const total = CONNECTION_WINDOW / 2 + 64 * FRAME;
    const conns = scenario(async (conn) => {
      conn.send(FrameType.SETTINGS, 0, 0);
      await conn.next(is(FrameType.HEADERS, 1));
      conn.send(FrameType.HEADERS, Flag.END_HEADERS, 1, [0x88]);
      // A compliant peer: never more than the stream window the client has granted.
      let window = STREAM_WINDOW;
      const chunk = Buffer.alloc(FRAME, 0x61);
      for (let sent = 0; sent < total; sent += FRAME) {
        while (window < FRAME) window += (await conn.next(is(FrameType.WINDOW_UPDATE, 1))).payload.readUInt32BE(0);
        conn.send(FrameType.DATA, 0, 1, chunk);
        window -= FRAME;
      }
      conn.send(FrameType.DATA, Flag.END_STREAM, 1);
    }, 20_000);
    expect(await post('/big')).toMatchObject({ kind: 'response', status: 200 });
    const updates = conns[0]!.frames.filter(is(FrameType.WINDOW_UPDATE, 0)).map((f) => f.payload.readUInt32BE(0));
    // The preface's raise to our connection window, then half of it once that much was consumed.
    expect(updates).toEqual([CONNECTION_WINDOW - 65_535, CONNECTION_WINDOW / 2]);
    expect(conns[0]!.frames.filter(is(FrameType.WINDOW_UPDATE, 1)).length).toBeGreaterThanOrEqual(Math.floor(total / STREAM_WINDOW));
  }, 30_000);
});

/** Stream 1 fails with `reason` and RST_STREAM(code) after `misbehave`; stream 3 on the same connection succeeds. */
async function expectStreamError(misbehave: (conn: Conn) => void, code: number, reason: string) {
  const conns = scenario(async (conn) => {
    conn.send(FrameType.SETTINGS, 0, 0);
    await conn.next(is(FrameType.HEADERS, 1));
    misbehave(conn);
    await conn.next(is(FrameType.HEADERS, 3));
    conn.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 3, [0x88]);
  });
  expect(await post('/bad', 'body')).toEqual({ kind: 'network', reason });
  expect(await post('/good')).toMatchObject({ kind: 'response', status: 200 });
  expect(conns[0]!.frames.find(is(FrameType.RST_STREAM, 1))?.payload).toEqual(u32(code));
  expect(conns).toHaveLength(1);
}

describe('stream errors: RST_STREAM, the connection lives on', () => {
  it('a WINDOW_UPDATE of 0 on a stream', async () => {
    await expectStreamError((conn) => conn.send(FrameType.WINDOW_UPDATE, 0, 1, u32(0)), ErrorCode.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0 on the stream');
  });

  it('a stream window past 2^31 - 1', async () => {
    await expectStreamError((conn) => conn.send(FrameType.WINDOW_UPDATE, 0, 1, u32(0x7fffffff)), ErrorCode.FLOW_CONTROL_ERROR, 'stream window overflow');
  });

  it('a response header list larger than we announced', async () => {
    const field = lit('x-a', 'v'.repeat(100));
    const block = Buffer.concat(Array.from({ length: Math.ceil(MAX_HEADER_LIST / (3 + 100 + 32)) + 1 }, () => field));
    await expectStreamError(
      (conn) => {
        conn.send(FrameType.HEADERS, 0, 1, Buffer.concat([Buffer.from([0x88]), block.subarray(0, FRAME - 1)]));
        for (let at = FRAME - 1; at < block.length; at += FRAME) {
          const end = Math.min(at + FRAME, block.length);
          conn.send(FrameType.CONTINUATION, end === block.length ? Flag.END_HEADERS : 0, 1, block.subarray(at, end));
        }
      },
      ErrorCode.PROTOCOL_ERROR,
      `malformed response: header list larger than ${MAX_HEADER_LIST} octets`,
    );
  });
});
