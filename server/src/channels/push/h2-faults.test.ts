/**
 * Our HTTP/2 client against a scripted peer (testing/h2-peer.ts): what a compliant peer may send
 * that nghttp2 does not, and the faults a real service will not produce.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, Flag, FrameType } from './h2-frames.ts';
import { HpackDecoder } from './hpack-decoder.ts';
import { type Conn, is, lit, setting, u32, useScriptedPeer } from './testing/h2-peer.ts';

const peer = useScriptedPeer();
const { scenario, post } = peer;

describe('what a compliant peer may send', () => {
  it('reads padded, prioritised, CONTINUATION-split headers after a 1xx, padded DATA, and skips unknown frames', async () => {
    let requestFields: string[] = [];
    const conns = scenario(async (conn) => {
      conn.send(FrameType.SETTINGS, 0, 0);
      const headers = await conn.next(is(FrameType.HEADERS, 1));
      requestFields = new HpackDecoder().decode(headers.payload);
      expect(headers.flags).toBe(Flag.END_HEADERS);
      expect((await conn.next(is(FrameType.DATA, 1))).payload.toString()).toBe('ping body');
      conn.send(FrameType.HEADERS, Flag.END_HEADERS, 1, lit(':status', '100'));
      // x-h is Huffman-coded 'www.example.com' (RFC 7541 C.4.1).
      const huffman = Buffer.from('0003782d688cf1e3c2e5f23a6ba0ab90f4ff', 'hex');
      const block = Buffer.concat([lit(':status', '202'), lit('retry-after', '7'), lit('set-cookie', 'a=1'), lit('set-cookie', 'b=2'), lit('x-multi', 'a'), lit('x-multi', 'b'), huffman]);
      const padded = Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 16]), block.subarray(0, 10), Buffer.alloc(3)]);
      conn.send(FrameType.HEADERS, Flag.PADDED | Flag.PRIORITY, 1, padded);
      conn.send(FrameType.CONTINUATION, 0, 1, block.subarray(10, 30));
      conn.send(FrameType.CONTINUATION, Flag.END_HEADERS, 1, block.subarray(30));
      conn.send(FrameType.DATA, Flag.PADDED, 1, Buffer.concat([Buffer.from([4]), Buffer.from('hello '), Buffer.alloc(4)]));
      conn.send(0xfa, 0, 0, Buffer.from('unknown frame type'));
      conn.send(FrameType.PRIORITY, 0, 1, [0, 0, 0, 0, 8]);
      conn.send(FrameType.DATA, 0, 1, Buffer.from('world'));
      conn.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, lit('x-trailer', 'dropped'));
    });
    expect(await post('/push/abc?x=1', 'ping body')).toEqual({
      kind: 'response',
      status: 202,
      headers: { 'retry-after': '7', 'set-cookie': ['a=1', 'b=2'], 'x-multi': 'a, b', 'x-h': 'www.example.com' },
      text: 'hello world',
    });
    expect(requestFields).toEqual([':method', 'POST', ':scheme', 'https', ':authority', new URL(peer.base).host, ':path', '/push/abc?x=1', 'ttl', '60', 'authorization', 'vapid t=secret']);
    // Our preface: SETTINGS (ENABLE_PUSH 0, a 1 MiB stream window, a header list limit), ACK of theirs, a connection WINDOW_UPDATE.
    const [settings, ...rest] = conns[0]!.frames;
    expect(settings).toMatchObject({ type: FrameType.SETTINGS, flags: 0, id: 0 });
    expect(settings!.payload).toEqual(Buffer.concat([setting(2, 0), setting(4, 1 << 20), setting(6, 65_536)]));
    expect(rest.find(is(FrameType.WINDOW_UPDATE, 0))?.payload).toEqual(u32((16 << 20) - 65_535));
    expect(rest.some((f) => f.type === FrameType.SETTINGS && f.flags === Flag.ACK)).toBe(true);
  });

  it('sends DATA only once a SETTINGS_INITIAL_WINDOW_SIZE of 0 is raised', async () => {
    scenario(async (conn) => {
      conn.send(FrameType.SETTINGS, 0, 0, setting(4, 0));
      await conn.next(is(FrameType.HEADERS, 1));
      await conn.barrier();
      expect(conn.frames.some(is(FrameType.DATA))).toBe(false);
      conn.send(FrameType.SETTINGS, 0, 0, setting(4, 3));
      expect((await conn.next(is(FrameType.DATA, 1))).payload.toString()).toBe('abc');
      await conn.barrier();
      expect(conn.frames.filter(is(FrameType.DATA))).toHaveLength(1);
      conn.send(FrameType.WINDOW_UPDATE, 0, 1, u32(4));
      const last = await conn.next(is(FrameType.DATA, 1));
      expect([last.payload.toString(), last.flags]).toEqual(['defg', Flag.END_STREAM]);
      conn.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, Buffer.from([0x88]));
    });
    expect(await post('/w', 'abcdefg')).toMatchObject({ kind: 'response', status: 200 });
  });

  it('continues a header block larger than a frame in CONTINUATION; an empty body ends the stream on HEADERS', async () => {
    const pad = 'p'.repeat(20_000);
    let received: string[] = [];
    const conns = scenario(async (conn) => {
      conn.send(FrameType.SETTINGS, 0, 0);
      const first = await conn.next(is(FrameType.HEADERS, 1));
      const rest = await conn.next(is(FrameType.CONTINUATION, 1));
      expect([first.flags, first.payload.length, rest.flags]).toEqual([Flag.END_STREAM, 16_384, Flag.END_HEADERS]);
      received = new HpackDecoder().decode(Buffer.concat([first.payload, rest.payload]));
      conn.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, [0x88]);
    });
    expect(await post('/big-header', '', { 'X-Pad': pad })).toMatchObject({ kind: 'response', status: 200 });
    expect(received.slice(-2)).toEqual(['x-pad', pad]);
    expect(conns[0]!.frames.some(is(FrameType.DATA))).toBe(false);
  });

  it('hands requests queued behind MAX_CONCURRENT_STREAMS to a new connection after GOAWAY', async () => {
    const conns = scenario(async (conn, index) => {
      conn.send(FrameType.SETTINGS, 0, 0, setting(3, 1));
      await conn.next(is(FrameType.HEADERS, 1));
      if (index === 0) {
        await conn.barrier();
        expect(conn.frames.some(is(FrameType.HEADERS, 3))).toBe(false);
        conn.send(FrameType.GOAWAY, 0, 0, Buffer.concat([u32(1), u32(ErrorCode.NO_ERROR)]));
      }
      conn.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, lit(':status', String(201 + index)));
    });
    const [first, second] = await Promise.all([post('/a'), post('/b')]);
    expect(first).toMatchObject({ kind: 'response', status: 201 });
    expect(second).toMatchObject({ kind: 'response', status: 202 });
    expect(conns).toHaveLength(2);
    // The first connection, its only stream done, is closed by us.
    await conns[0]!.ended;
  });
});

/** A request in flight, then `misbehave`: the client must end the connection with GOAWAY(code). */
async function expectConnectionError(misbehave: (conn: Conn) => void, code: number, reason: string, opening: Buffer = Buffer.alloc(0)) {
  const conns = scenario(async (conn) => {
    conn.send(FrameType.SETTINGS, 0, 0, opening);
    await conn.next(is(FrameType.HEADERS, 1));
    misbehave(conn);
  });
  expect(await post('/fault')).toEqual({ kind: 'network', reason });
  const goaway = await conns[0]!.next(is(FrameType.GOAWAY, 0));
  expect(goaway.payload).toEqual(Buffer.concat([u32(0), u32(code)]));
  await conns[0]!.ended;
}

describe('connection errors: GOAWAY with the code, every request failed with the reason', () => {
  it.each([
    ['a PING of 7 octets', (c: Conn) => c.send(FrameType.PING, 0, 0, Buffer.alloc(7)), ErrorCode.FRAME_SIZE_ERROR, 'PING of 7 octets'],
    ['a frame over 16384 octets', (c: Conn) => c.send(FrameType.DATA, 0, 1, Buffer.alloc(16_385)), ErrorCode.FRAME_SIZE_ERROR, 'frame of 16385 octets exceeds SETTINGS_MAX_FRAME_SIZE 16384'],
    ['SETTINGS of 5 octets', (c: Conn) => c.send(FrameType.SETTINGS, 0, 0, Buffer.alloc(5)), ErrorCode.FRAME_SIZE_ERROR, 'SETTINGS of 5 octets'],
    ['PUSH_PROMISE', (c: Conn) => c.send(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1, [0, 0, 0, 2, 0x82]), ErrorCode.PROTOCOL_ERROR, 'PUSH_PROMISE although push is disabled'],
    ['DATA on stream 0', (c: Conn) => c.send(FrameType.DATA, 0, 0, Buffer.from('x')), ErrorCode.PROTOCOL_ERROR, 'DATA on stream 0'],
    ['HEADERS on a stream never opened', (c: Conn) => c.send(FrameType.HEADERS, Flag.END_HEADERS, 3, [0x88]), ErrorCode.PROTOCOL_ERROR, 'HEADERS on idle stream 3'],
    ['padding that fills the frame', (c: Conn) => c.send(FrameType.DATA, Flag.PADDED, 1, [5, 1, 2]), ErrorCode.PROTOCOL_ERROR, 'DATA padding of 5 octets fills the frame'],
    ['CONTINUATION out of the blue', (c: Conn) => c.send(FrameType.CONTINUATION, Flag.END_HEADERS, 1, [0x88]), ErrorCode.PROTOCOL_ERROR, 'CONTINUATION without a header block to continue'],
    [
      'DATA inside a header block',
      (c: Conn) => {
        c.send(FrameType.HEADERS, 0, 1, [0x88]);
        c.send(FrameType.DATA, 0, 1, Buffer.from('x'));
      },
      ErrorCode.PROTOCOL_ERROR,
      'frame type 0 inside a header block',
    ],
    ['WINDOW_UPDATE of 0 on the connection', (c: Conn) => c.send(FrameType.WINDOW_UPDATE, 0, 0, u32(0)), ErrorCode.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0 on the connection'],
    ['a connection window past 2^31 - 1', (c: Conn) => c.send(FrameType.WINDOW_UPDATE, 0, 0, u32(0x7fffffff)), ErrorCode.FLOW_CONTROL_ERROR, 'connection window overflow'],
    ['SETTINGS_MAX_FRAME_SIZE 100', (c: Conn) => c.send(FrameType.SETTINGS, 0, 0, setting(5, 100)), ErrorCode.PROTOCOL_ERROR, 'SETTINGS_MAX_FRAME_SIZE 100'],
    ['an HPACK index 0', (c: Conn) => c.send(FrameType.HEADERS, Flag.END_HEADERS, 1, [0x80]), ErrorCode.COMPRESSION_ERROR, 'indexed header field with index 0'],
    ['an HPACK index past the table', (c: Conn) => c.send(FrameType.HEADERS, Flag.END_HEADERS, 1, [0x88, 0xc0]), ErrorCode.COMPRESSION_ERROR, 'header index 64 is not in the table (61 entries)'],
    ['a Huffman string with EOS', (c: Conn) => c.send(FrameType.HEADERS, Flag.END_HEADERS, 1, [0x88, 0x00, 0x81, 0x1f, 0x84, 0xff, 0xff, 0xff, 0xff]), ErrorCode.COMPRESSION_ERROR, 'Huffman string contains the EOS symbol'],
  ])('%s', async (_name, misbehave, code, message) => {
    const name = Object.entries(ErrorCode).find(([, value]) => value === code)![0];
    await expectConnectionError(misbehave, code, `HTTP/2 connection error ${name}: ${message}`);
  });

  it('a peer that does not open with SETTINGS', async () => {
    const conns = scenario((conn) => conn.send(FrameType.PING, 0, 0, Buffer.alloc(8)));
    expect(await post('/fault')).toEqual({ kind: 'network', reason: 'HTTP/2 connection error PROTOCOL_ERROR: the push service did not open with SETTINGS' });
    await conns[0]!.ended;
    // Nothing was sent before the peer's SETTINGS.
    expect(conns[0]!.frames.some(is(FrameType.HEADERS))).toBe(false);
  });
});

describe('stream errors and resets: the connection lives on', () => {
  it.each([
    ['no :status', [lit('x-a', 'b')], 'malformed response: no :status'],
    ['an upper-case name', [lit(':status', '200'), lit('X-Up', 'b')], 'malformed response: invalid header name "X-Up"'],
    ['a connection header', [lit(':status', '200'), lit('connection', 'close')], 'malformed response: connection-specific header connection'],
    ['a pseudo-header after a regular one', [lit('x-a', 'b'), lit(':status', '200')], 'malformed response: pseudo-header after a regular header'],
  ])('a response with %s is RST_STREAM(PROTOCOL_ERROR)', async (_name, fields, reason) => {
    const conns = scenario(async (conn) => {
      conn.send(FrameType.SETTINGS, 0, 0);
      await conn.next(is(FrameType.HEADERS, 1));
      conn.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, Buffer.concat(fields));
      await conn.next(is(FrameType.HEADERS, 3));
      conn.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 3, [0x88]);
    });
    expect(await post('/bad')).toEqual({ kind: 'network', reason });
    expect(await post('/good')).toMatchObject({ kind: 'response', status: 200 });
    expect(conns[0]!.frames.find(is(FrameType.RST_STREAM, 1))?.payload).toEqual(u32(ErrorCode.PROTOCOL_ERROR));
    expect(conns).toHaveLength(1);
  });

  it('a body shorter than its content-length is malformed', async () => {
    scenario(async (conn) => {
      conn.send(FrameType.SETTINGS, 0, 0);
      await conn.next(is(FrameType.HEADERS, 1));
      conn.send(FrameType.HEADERS, Flag.END_HEADERS, 1, Buffer.concat([lit(':status', '400'), lit('content-length', '10')]));
      conn.send(FrameType.DATA, Flag.END_STREAM, 1, Buffer.from('short'));
    });
    expect(await post('/cl')).toEqual({ kind: 'network', reason: 'malformed response: content-length 10 but 5 octets of data' });
  });

  it('RST_STREAM from the peer names its code', async () => {
    scenario(async (conn) => {
      conn.send(FrameType.SETTINGS, 0, 0);
      await conn.next(is(FrameType.HEADERS, 1));
      conn.send(FrameType.RST_STREAM, 0, 1, u32(ErrorCode.INTERNAL_ERROR));
    });
    expect(await post('/rst')).toEqual({ kind: 'network', reason: 'push service reset the stream (INTERNAL_ERROR)' });
  });
});

describe('GOAWAY and closes', () => {
  it('sends the streams above the last stream id again on a new connection; the others finish', async () => {
    const conns = scenario(async (conn, index) => {
      conn.send(FrameType.SETTINGS, 0, 0);
      if (index === 0) {
        await conn.next(is(FrameType.HEADERS, 3));
        conn.send(FrameType.GOAWAY, 0, 0, Buffer.concat([u32(1), u32(ErrorCode.ENHANCE_YOUR_CALM), Buffer.from('slow down')]));
        conn.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, lit(':status', '201'));
      } else {
        await conn.next(is(FrameType.DATA, 1));
        conn.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, lit(':status', '202'));
      }
    });
    const [first, second] = await Promise.all([post('/one'), post('/two')]);
    expect(first).toMatchObject({ kind: 'response', status: 201 });
    expect(second).toMatchObject({ kind: 'response', status: 202 });
    expect(conns).toHaveLength(2);
    expect(new HpackDecoder().decode(conns[1]!.frames.find(is(FrameType.HEADERS, 1))!.payload)).toContain('/two');
  });

  it('a request sent again after GOAWAY keeps its first deadline', async () => {
    let resentAt = 0;
    let cancelledAt = 0;
    const conns = scenario(async (conn, index) => {
      conn.send(FrameType.SETTINGS, 0, 0);
      await conn.next(is(FrameType.HEADERS, 1));
      if (index === 0) {
        // Unprocessed (last stream id 0) after 600 of the request's 1000 ms.
        await new Promise((r) => setTimeout(r, 600));
        conn.send(FrameType.GOAWAY, 0, 0, Buffer.concat([u32(0), u32(ErrorCode.NO_ERROR)]));
        return;
      }
      resentAt = Date.now();
      await conn.next(is(FrameType.RST_STREAM, 1));
      cancelledAt = Date.now();
    }, 1000);
    expect(await post('/late')).toEqual({ kind: 'network', reason: 'timeout after 1000 ms' });
    expect(conns).toHaveLength(2);
    // What was left of the deadline (~400 ms), not a fresh 1000 ms.
    await expect.poll(() => cancelledAt).toBeGreaterThan(0);
    expect(cancelledAt - resentAt).toBeLessThan(800);
  });

  it('a request refused by GOAWAY on both connections fails naming the GOAWAY', async () => {
    const conns = scenario(async (conn) => {
      conn.send(FrameType.SETTINGS, 0, 0);
      await conn.next(is(FrameType.HEADERS, 1));
      conn.send(FrameType.GOAWAY, 0, 0, Buffer.concat([u32(0), u32(ErrorCode.ENHANCE_YOUR_CALM), Buffer.from('slow down')]));
    });
    expect(await post('/two')).toEqual({ kind: 'network', reason: 'push service sent GOAWAY (ENHANCE_YOUR_CALM: slow down) without processing the request' });
    expect(conns).toHaveLength(2);
  });

  it('a connection closed after GOAWAY fails the stream still open, naming the GOAWAY', async () => {
    scenario(async (conn) => {
      conn.send(FrameType.SETTINGS, 0, 0);
      await conn.next(is(FrameType.HEADERS, 1));
      conn.send(FrameType.GOAWAY, 0, 0, Buffer.concat([u32(1), u32(ErrorCode.INTERNAL_ERROR)]));
      await conn.barrier();
      conn.socket.destroy();
    });
    expect(await post('/gone')).toEqual({ kind: 'network', reason: 'HTTP/2 connection closed by the push service after GOAWAY (INTERNAL_ERROR)' });
  });

  it('a connection closed mid-request fails it as a network error', async () => {
    scenario(async (conn) => {
      conn.send(FrameType.SETTINGS, 0, 0);
      await conn.next(is(FrameType.DATA, 1));
      conn.socket.end();
    });
    expect(await post('/closed')).toEqual({ kind: 'network', reason: 'HTTP/2 connection closed by the push service' });
  });
});
