// Slow neighbours are learned and avoided (issue 15): a transfer that falls behind its deadline is
// cancelled as soon as its pace shows it, the segment is asked elsewhere at once, and a neighbour
// that fell behind twice within a minute is asked for nothing more. Being slow is never reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileName } from './content-loader.js';
import { split } from './wire.js';
import { ID, segment, swarm, url } from './loader.test-support.js';

const names = Array.from({ length: 10 }, (_, i) => fileName('0', i + 1));
const segments = Object.fromEntries(names.map((n, i) => [n, segment(i + 1, 100_000)]));
const claimAll = { type: 'HAVE', stream: 'main', held: names.map((_, i) => ({ track: '0', number: i + 1 })) };

/** `v` and a scripted neighbour claiming segments 1–10 that sends one 16 KiB chunk every 2 s. */
async function withSlowNeighbour() {
  const s = await swarm(1, segments);
  const [v] = s.loaders;
  const slow = s.raw(ID('s'));
  const requests = [];
  slow.onMessage = (m) => {
    if (m.type !== 'REQUEST') return;
    requests.push({ requestId: m.requestId, at: s.clock.now() });
    const chunks = split(m.requestId, segments[fileName(m.track, m.number)]);
    let cancelled = false;
    const prev = slow.onCancel;
    slow.onCancel = (id) => { if (id === m.requestId) cancelled = true; prev?.(id); };
    const next = (i) => {
      if (cancelled || i >= chunks.length || !slow.link.isOpen) return;
      slow.send(chunks[i]);
      s.clock.setTimeout(() => next(i + 1), 2000);
    };
    next(0);
  };
  const onMessage = slow.onMessage;
  slow.onMessage = (m) => (m.type === 'CANCEL' ? slow.onCancel?.(m.requestId) : onMessage(m));
  v.connectTo([{ id: slow.id, superPeer: false }]);
  await s.clock.advance(10);
  slow.send(claimAll);
  await s.clock.advance(10);
  const late = [];
  v.addEventListener('late', (e) => late.push({ ...e.detail, at: s.clock.now() }));
  return { ...s, v, slow, requests, late };
}

test('a transfer whose pace misses the deadline is cancelled as soon as the pace shows it, not at the deadline; the segment comes from elsewhere', async () => {
  const { clock, v, slow, requests, late } = await withSlowNeighbour();
  const start = clock.now();
  const pending = v.load(url(names[0]), start + 4000);
  await clock.advance(3500); // its first chunk comes at once, the next in 2 s: 7 chunks need 12 s
  const got = await pending; // nobody else holds it: HTTP at the fallback (deadline - 1 s)
  assert.equal(got.source, 'http');
  assert.equal(requests.length, 1);
  assert.deepEqual(late.map((l) => [l.peer, l.strikes]), [[slow.id, 1]]);
  // At 750 ms its pace (16 KiB in 750 ms) says the other 82 KiB need 3.8 s more, past the deadline.
  assert.equal(late[0].at - start, 750, 'cancelled once its pace showed it, 3.25 s before the deadline');
  assert.ok(slow.received.some((m) => m.type === 'CANCEL' && m.requestId === requests[0].requestId), 'the neighbour was told');
  assert.equal(v.signaling.reports, undefined, 'slowness is not reported');
  assert.equal(v.neighbours.get(slow.id)?.link.isOpen, true, 'nor cut');
});

test('a neighbour that fell behind twice is asked for nothing more, for a minute', async () => {
  const { clock, v, slow, requests } = await withSlowNeighbour();
  for (const name of names) {
    const pending = v.load(url(name), clock.now() + 4000);
    await clock.advance(3500);
    await pending;
  }
  assert.equal(requests.length, 2, 'asked twice, never again');
  assert.equal(v.lateStrikes(slow.id), 2);
  assert.equal(v.neighbours.get(slow.id)?.link.isOpen, true, 'still a neighbour: it may download from us');
});

test('strikes are forgotten after a minute: the neighbour is asked again, once', async () => {
  const { clock, v, slow, requests } = await withSlowNeighbour();
  for (const name of names.slice(0, 4)) {
    const pending = v.load(url(name), clock.now() + 4000);
    await clock.advance(3500);
    await pending;
  }
  assert.equal(requests.length, 2);
  await clock.advance(60_000);
  assert.equal(v.lateStrikes(slow.id), 0);
  const pending = v.load(url(names[5]), clock.now() + 4000);
  await clock.advance(3500);
  await pending;
  assert.equal(requests.length, 3, 'asked again');
  assert.equal(v.lateStrikes(slow.id), 1);
});

test('an on-time media segment measures the neighbour\'s throughput', async () => {
  const { clock, loaders: [v, a] } = await swarm(2, segments);
  await a.load(url(names[0]), clock.now());
  v.connectTo([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  const got = v.load(url(names[0]), clock.now() + 4000);
  await clock.advance(10);
  assert.equal((await got).source, 'peer');
  assert.ok(v.neighbours.get(a.signaling.peerId).bytesPerSecond > 0);
});
