// Neighbours are held to what they claim and to the wire protocol (issue 8): a liar or a protocol
// breaker is reported once, cut and blocked; an honest neighbour racing its own window is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HIGH_WATER } from './peer.js';
import { fileName } from './content-loader.js';
import { claimStands } from './requests.js';
import { INIT, WIRE_ERRORS } from './wire.js';
import { ID, segment, swarm, url } from './loader.test-support.js';

const names = Array.from({ length: 10 }, (_, i) => fileName('0', i + 1));
const segments = Object.fromEntries(names.map((n, i) => [n, segment(i + 1)]));
const claimAll = { type: 'HAVE', stream: 'main', held: names.map((_, i) => ({ track: '0', number: i + 1 })) };

/**
 * `v` and a scripted neighbour that claims segments 1–10 and answers REQUESTs with `answer`.
 * @param {(peer: any, m: any) => void} answer @param {{superPeer?: boolean}} [o]
 */
async function withNeighbour(answer, { superPeer = false } = {}) {
  const s = await swarm(1, segments);
  const [v] = s.loaders;
  const peer = s.raw(ID('n'));
  peer.onMessage = (m) => { if (m.type === 'REQUEST') answer(peer, m); };
  v.connectTo([{ id: peer.id, superPeer }]);
  await s.clock.advance(10);
  peer.send(claimAll);
  await s.clock.advance(10);
  const events = [];
  v.addEventListener('report', (e) => events.push(e.detail));
  return { ...s, v, peer, events };
}

const notFound = (peer, m) => peer.send({ type: 'ERROR', requestId: m.requestId, code: WIRE_ERRORS.NOT_FOUND, message: 'not held' });

test('a neighbour that claims a segment and answers NOT_FOUND is reported (not-found), cut and blocked; the segment comes over HTTP', async () => {
  const { clock, v, peer, events } = await withNeighbour(notFound);
  const start = clock.now();
  const got = await v.load(url(names[9]), clock.now() + 3000);
  assert.equal(got.source, 'http');
  assert.equal(clock.now(), start, 'no time lost waiting');
  assert.deepEqual(v.signaling.reports, [{ peer: peer.id, stream: 'main', reason: 'not-found' }]);
  assert.deepEqual(events, [{ peer: peer.id, stream: 'main', fileName: names[9], reason: 'not-found' }]);
  assert.equal(v.neighbours.has(peer.id), false);
  v.connectTo([{ id: peer.id, superPeer: false }]);
  assert.equal(v.neighbours.has(peer.id), false, 'never connected again');
});

test('an honest neighbour that evicted the segment just before our REQUEST arrived is not reported: its HAVE came first', async () => {
  const { clock, loaders: [v, a] } = await swarm(2, segments);
  for (const n of names) await a.load(url(n), clock.now());
  v.connectTo([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  const serve = a.serve.bind(a);
  a.serve = (n, m) => { a.cache.delete(names[9]); a.announce(a.main); serve(n, m); }; // the window moved on, right then
  const pending = v.load(url(names[9]), clock.now() + 3000);
  await clock.advance(2000);
  assert.equal((await pending).source, 'http');
  assert.equal(v.signaling.reports, undefined);
  assert.equal(v.neighbours.get(a.signaling.peerId)?.link.isOpen, true);
});

test('a NOT_FOUND for one of the 4 oldest segments of its track a neighbour lists is forgiven (its HAVE may lag its window); for a newer one it is not', async () => {
  const { clock, v, peer } = await withNeighbour(notFound);
  for (const i of [0, 3]) {
    const pending = v.load(url(names[i]), clock.now() + 1500); // segment 1: none older listed; 4: three
    await clock.advance(500);
    assert.equal((await pending).source, 'http');
  }
  assert.equal(v.signaling.reports, undefined);
  assert.equal(v.neighbours.get(peer.id)?.link.isOpen, true);
  await v.load(url(names[4]), clock.now() + 1500); // segment 5: four older ones listed
  assert.deepEqual(v.signaling.reports?.map((r) => r.reason), ['not-found']);
});

test('claimStands: init segments always stand; a media segment stands with evictionMargin older ones of its track listed', () => {
  const held = new Set([fileName('0', INIT), fileName('0', 7), fileName('0', 8), fileName('1', 1), fileName('1', 2), fileName('0', 9)]);
  assert.equal(claimStands(held, fileName('0', INIT), 4), true);
  assert.equal(claimStands(held, fileName('0', 9), 2), true);
  assert.equal(claimStands(held, fileName('0', 9), 3), false, 'audio segments do not count for video');
  assert.equal(claimStands(held, fileName('0', 10), 0), false, 'not listed');
  assert.equal(claimStands(undefined, fileName('0', 9), 0), false);
});

test('a neighbour that claims a segment and never answers is reported (no-answer) at the request deadline, then cut', async () => {
  const { clock, v, peer } = await withNeighbour(() => {});
  const pending = v.load(url(names[9]), clock.now() + 3000);
  await clock.advance(2999);
  assert.equal(v.signaling.reports, undefined);
  await clock.advance(1);
  assert.equal((await pending).source, 'http');
  assert.deepEqual(v.signaling.reports, [{ peer: peer.id, stream: 'main', reason: 'no-answer' }]);
  assert.equal(v.neighbours.has(peer.id), false);
});

test('silence is not held against a neighbour busy sending us other data, nor when our REQUEST waited behind our own backlog', async () => {
  // Busy: it started answering one request (one chunk, then nothing) and is silent on the other.
  const busy = await withNeighbour((peer, m) => {
    if (m.number === 9) peer.send({ type: 'DATA', requestId: m.requestId, totalLength: 40_000, offset: 0, payload: new Uint8Array(100) });
  });
  const both = [busy.v.load(url(names[9]), busy.clock.now() + 3000), busy.v.load(url(names[8]), busy.clock.now() + 3000)];
  await busy.clock.advance(3000);
  assert.deepEqual((await Promise.all(both)).map((g) => g.source), ['http', 'http']);
  assert.equal(busy.v.signaling.reports, undefined);

  // Backlog: our channel to it is full, so the REQUEST never left.
  const jammed = await withNeighbour(() => {});
  jammed.v.neighbours.get(jammed.peer.id).link.channel.bufferedAmount = HIGH_WATER + 1;
  const pending = jammed.v.load(url(names[9]), jammed.clock.now() + 3000);
  await jammed.clock.advance(3000);
  assert.equal((await pending).source, 'http');
  assert.equal(jammed.v.signaling.reports, undefined);
});

test('the super-peer failing claims is reported once per visit and kept: it is never blocked for that', async () => {
  const { clock, v, peer } = await withNeighbour(notFound, { superPeer: true });
  for (const i of [9, 8]) {
    const pending = v.load(url(names[i]), clock.now() + 1500);
    await clock.advance(500);
    assert.equal((await pending).source, 'http');
  }
  assert.deepEqual(v.signaling.reports, [{ peer: peer.id, stream: 'main', reason: 'not-found' }]);
  assert.equal(v.neighbours.get(peer.id)?.link.isOpen, true);
  assert.equal(v.blocked.has(peer.id), false);
});

test('a neighbour that breaks the wire protocol is cut, blocked for the visit and reported (protocol-violation)', async () => {
  const { clock, v, peer } = await withNeighbour((p, m) => {
    // A first chunk that does not start at offset 0.
    p.send({ type: 'DATA', requestId: m.requestId, totalLength: 40_000, offset: 100, payload: new Uint8Array(100) });
  });
  const bad = [];
  v.addEventListener('bad-segment', (e) => bad.push(e.detail));
  const got = await v.load(url(names[9]), clock.now() + 3000);
  assert.equal(got.source, 'http');
  assert.deepEqual(got.data, segments[names[9]]);
  assert.deepEqual(v.signaling.reports, [{ peer: peer.id, stream: 'main', reason: 'protocol-violation' }]);
  assert.deepEqual(bad, [{ stream: 'main', fileName: names[9], peer: peer.id, reason: 'protocol-violation' }]);
  assert.equal(v.neighbours.has(peer.id), false);

  peer.link = null;
  peer.offerTo(v.signaling.peerId);
  await clock.advance(10);
  assert.equal(peer.link.isOpen, false, 'its offers are refused');
  v.connectTo([{ id: peer.id, superPeer: false }]);
  assert.equal(v.neighbours.has(peer.id), false, 'and it is never offered to');
});
