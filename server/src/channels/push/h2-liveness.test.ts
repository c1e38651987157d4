/**
 * A connection whose peer went silent (a dead path TCP would notice only after many minutes) is
 * found out by the PING sent when a request times out, and replaced; a peer that is merely slow on one
 * stream answers the PING and keeps its connection. Scripted peer: a real service cannot be made
 * to go silent on an open connection.
 */
import { describe, expect, it } from 'vitest';
import { Flag, FrameType } from './h2-frames.ts';
import { is, useScriptedPeer } from './testing/h2-peer.ts';

const { scenario, post } = useScriptedPeer();
const TIMEOUT_MS = 300;

describe('HTTP/2 connection liveness', () => {
  it('a timed-out request on a silent connection sends a PING; no answer ends the connection, and the next request opens a new one', async () => {
    const conns = scenario(async (conn, index) => {
      conn.send(FrameType.SETTINGS, 0, 0);
      const headers = await conn.next(is(FrameType.HEADERS));
      // The first connection goes silent; the second answers.
      if (index === 1) conn.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, headers.id, Buffer.from([0x88]));
    }, TIMEOUT_MS);

    expect(await post('/lost')).toEqual({ kind: 'network', reason: `timeout after ${TIMEOUT_MS} ms` });
    const first = conns[0]!;
    const ping = await first.next((f) => f.type === FrameType.PING && f.flags === 0);
    expect(ping.payload).toHaveLength(8);
    await first.ended;
    // RST_STREAM(CANCEL) for the timed-out stream went out before the PING.
    expect(first.frames.findIndex(is(FrameType.RST_STREAM, 1))).toBeLessThan(first.frames.indexOf(ping));

    expect(await post('/next')).toMatchObject({ kind: 'response', status: 200 });
    expect(conns).toHaveLength(2);
  });

  it('a peer that answers the PING keeps its connection for the next request', async () => {
    const conns = scenario(async (conn) => {
      conn.send(FrameType.SETTINGS, 0, 0);
      await conn.next(is(FrameType.HEADERS, 1)); // never answered: slow on this stream only
      const ping = await conn.next((f) => f.type === FrameType.PING && f.flags === 0);
      conn.send(FrameType.PING, Flag.ACK, 0, ping.payload);
      const next = await conn.next(is(FrameType.HEADERS));
      conn.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, next.id, Buffer.from([0x88]));
    }, TIMEOUT_MS);

    expect(await post('/slow')).toEqual({ kind: 'network', reason: `timeout after ${TIMEOUT_MS} ms` });
    // Past the answer window (= the timeout here), the connection is still the one in use.
    await new Promise((r) => setTimeout(r, 2 * TIMEOUT_MS));
    expect(await post('/after')).toMatchObject({ kind: 'response', status: 200 });
    expect(conns).toHaveLength(1);
    expect(conns[0]!.frames.filter((f) => f.type === FrameType.PING && f.flags === 0)).toHaveLength(1);
  });
});
