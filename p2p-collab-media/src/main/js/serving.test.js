// Serving neighbours within bounds: the send queue's caps (issue 8) and each neighbour's serving
// budget (issue 15).
// A neighbour "stops reading" here by its channel's buffer staying over the high-water mark, so
// everything sent to it waits in the loader's queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HIGH_WATER } from './peer.js';
import { settle } from './fakes.test-support.js';
import { fileName } from './content-loader.js';
import { ID, segment, swarm, url } from './loader.test-support.js';
import { WIRE_ERRORS } from './wire.js';

/** A scripted peer connected to `v` (it offered), and v's side of the link. */
async function attackerOf(v, raw, clock) {
  const attacker = raw(ID('z'));
  attacker.offerTo(v.signaling.peerId);
  await clock.advance(10);
  return { attacker, n: v.neighbours.get(attacker.id) };
}

const request = (requestId, number = requestId) => ({ type: 'REQUEST', requestId, stream: 'main', track: '0', number });

/** A budget no test of the queue caps reaches. */
const UNBOUNDED = { maxConcurrent: 1e9, burst: 1e9, perSecond: 1, maxRefusals: 1e9 };

test('a neighbour that floods requests is answered within its budget, then cut, reported flooding, and never let back', async () => {
  const name = fileName('0', 1);
  const { clock, loaders: [v], raw } = await swarm(1, { [name]: segment(1) });
  await v.load(url(name), clock.now());
  const cuts = [];
  v.addEventListener('cut', (e) => cuts.push(e.detail));
  const { attacker, n } = await attackerOf(v, raw, clock);
  for (let i = 1; i <= 200; i++) attacker.send(request(i, 1)); // as fast as a script can, all at one instant
  await settle();

  const answers = attacker.received.filter((m) => m.type !== 'HAVE');
  const served = new Set(answers.filter((m) => m.type === 'DATA').map((m) => m.requestId));
  assert.equal(served.size, 16, 'a burst of 16 is served');
  assert.equal(v.stats().uploaded, 16 * 40_000);
  assert.equal(answers.filter((m) => m.type === 'ERROR' && m.code === WIRE_ERRORS.BUSY).length, 32, '32 refused BUSY, without work');
  assert.equal(n.link.closed, true, 'the 33rd refusal cuts it');
  assert.deepEqual(cuts, [{ peer: attacker.id, reason: 'flooding' }]);
  assert.deepEqual(v.signaling.reports, [{ peer: attacker.id, stream: 'main', reason: 'flooding' }]);

  attacker.link = null;
  attacker.offerTo(v.signaling.peerId);
  await clock.advance(10);
  assert.equal(attacker.link.isOpen, false, 'its next offer is refused');
  v.connectTo([{ id: attacker.id, superPeer: false }]);
  assert.equal(v.neighbours.has(attacker.id), false, 'and it is never offered to');
});

test('an honest pace is always served: one request a second for a minute', async () => {
  const segs = {};
  for (let i = 1; i <= 60; i++) segs[fileName('0', i)] = segment(i, 1000);
  const { clock, loaders: [v], raw } = await swarm(1, segs);
  for (const name of Object.keys(segs)) await v.load(url(name), clock.now());
  const { attacker: honest, n } = await attackerOf(v, raw, clock);
  for (let i = 1; i <= 60; i++) {
    honest.send(request(i));
    await settle();
    await clock.advance(1000);
  }
  assert.equal(new Set(honest.received.filter((m) => m.type === 'DATA').map((m) => m.requestId)).size, 60);
  assert.equal(n.link.isOpen, true);
});

test('unknown message types are answered (a newer protocol may send them) and count against the budget', async () => {
  const { clock, loaders: [v], raw } = await swarm(1, {});
  const { attacker, n } = await attackerOf(v, raw, clock);
  for (let i = 0; i < 32; i++) attacker.link.channel.send(Uint8Array.of(0x7f, 1, 2));
  await settle();
  assert.equal(attacker.received.filter((m) => m.type === 'ERROR' && m.code === WIRE_ERRORS.BAD_REQUEST).length, 32);
  assert.equal(n.link.isOpen, true, '32 are tolerated');
  attacker.link.channel.send(Uint8Array.of(0x7f));
  await settle();
  assert.equal(n.link.closed, true, 'the 33rd pile-up cuts it');
});

test('an undecodable message of a known type is a violation: cut, reported, blocked', async () => {
  const { clock, loaders: [v], raw } = await swarm(1, {});
  const { attacker, n } = await attackerOf(v, raw, clock);
  attacker.link.channel.send(Uint8Array.of(0x02, 0, 0)); // a truncated REQUEST
  await settle();
  assert.equal(n.link.closed, true);
  assert.deepEqual(v.signaling.reports, [{ peer: attacker.id, stream: 'main', reason: 'protocol-violation' }]);
  assert.ok(v.blocked.has(attacker.id));
});

test('a neighbour whose replies would pass 1 024 queued messages is cut, and never let back', async () => {
  const { clock, loaders: [v], raw } = await swarm(1, {}, { options: { serving: UNBOUNDED } });
  const { attacker, n } = await attackerOf(v, raw, clock);
  n.link.channel.bufferedAmount = HIGH_WATER + 1; // the attacker stops reading
  // Each REQUEST for a segment not held is answered ERROR NOT_FOUND, each unknown message ERROR BAD_REQUEST.
  for (let i = 1; i <= 512; i++) attacker.send(request(i));
  for (let i = 1; i <= 512; i++) attacker.link.channel.send(Uint8Array.of(0x7f, 0, 0));
  await settle();
  assert.equal(n.link.isOpen, true);
  assert.equal(n.link.queue.count, 1024, 'every message got its reply, queued');

  attacker.send(request(1025));
  await settle();
  assert.equal(n.link.closed, true, 'the 1 025th reply would pass the cap: cut');
  assert.equal(v.neighbours.has(attacker.id), false);
  assert.equal(v.signaling.reports, undefined, 'a full queue is not a report reason');

  attacker.link = null;
  attacker.offerTo(v.signaling.peerId);
  await clock.advance(10);
  assert.equal(attacker.link.isOpen, false, 'its next offer is refused');
});

test('a neighbour that never drains what it asked for is cut after 30 s and reported not-draining', async () => {
  const name = fileName('0', 1);
  const { clock, loaders: [v], raw } = await swarm(1, { [name]: segment(1) }, { options: { serving: UNBOUNDED } });
  await v.load(url(name), clock.now());
  v.start([]);
  const { attacker, n } = await attackerOf(v, raw, clock);
  n.link.channel.bufferedAmount = HIGH_WATER + 1;
  attacker.send(request(1, 1));
  await settle();
  assert.ok(n.link.queue.length > 0, 'its segment waits for it');
  await clock.advance(27_000);
  assert.equal(n.link.isOpen, true, 'a while stuck is not enough');
  await clock.advance(6_000);
  assert.equal(n.link.closed, true);
  assert.deepEqual(v.signaling.reports, [{ peer: attacker.id, stream: 'main', reason: 'not-draining' }]);
});

test('the message cap is the option maxQueuedMessages', async () => {
  const { clock, loaders: [v], raw } = await swarm(1, {}, { options: { maxQueuedMessages: 10, serving: UNBOUNDED } });
  const { attacker, n } = await attackerOf(v, raw, clock);
  n.link.channel.bufferedAmount = HIGH_WATER + 1;
  for (let i = 1; i <= 10; i++) attacker.send(request(i));
  await settle();
  assert.equal(n.link.isOpen, true);
  attacker.send(request(11));
  await settle();
  assert.equal(n.link.closed, true);
});

test('segments are served while they fill at most half the byte cap (maxQueuedBytes), then BUSY keeps room for replies', async () => {
  const name = fileName('0', 1);
  const { clock, loaders: [v], raw } = await swarm(1, { [name]: segment(1) }, { options: { maxQueuedBytes: 200_000, serving: UNBOUNDED } });
  await v.load(url(name), clock.now()); // v holds 40 000 bytes
  const { attacker, n } = await attackerOf(v, raw, clock);
  n.link.channel.bufferedAmount = HIGH_WATER + 1;
  for (let i = 1; i <= 5; i++) attacker.send(request(i, 1));
  await settle();
  assert.equal(n.link.isOpen, true);
  assert.equal(v.stats().uploaded, 80_000, 'two copies fit in 100 000 bytes, a third would not');

  n.link.channel.bufferedAmount = 0; // it reads again
  n.link.flush();
  await settle();
  const answers = attacker.received.filter((m) => m.type !== 'HAVE');
  assert.deepEqual([...new Set(answers.filter((m) => m.type === 'DATA').map((m) => m.requestId))], [1, 2]);
  assert.deepEqual(answers.filter((m) => m.type === 'ERROR').map((m) => [m.requestId, m.code]), [[3, WIRE_ERRORS.BUSY], [4, WIRE_ERRORS.BUSY], [5, WIRE_ERRORS.BUSY]]);
});

test('an honest neighbour that stops reading for a while is not cut: HAVE updates replace one another in the queue', async () => {
  const segs = {};
  for (let i = 1; i <= 200; i++) segs[fileName('0', i)] = segment(i, 100);
  const { clock, loaders: [v, a] } = await swarm(2, segs, { options: { maxQueuedMessages: 50 } });
  v.connectTo([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  const n = v.neighbours.get(a.signaling.peerId);
  n.link.pin(); // keep the idle rule out of this test
  n.link.channel.bufferedAmount = HIGH_WATER + 1;
  for (const name of Object.keys(segs)) await v.load(url(name), clock.now()); // 200 new segments, 200 HAVEs: 4 times the cap
  assert.equal(n.link.isOpen, true);
  assert.equal(n.link.queue.length, 1, 'only the newest HAVE waits');

  n.link.channel.bufferedAmount = 0;
  n.link.flush();
  await settle();
  const held = a.neighbours.get(v.signaling.peerId).have.get('main');
  assert.equal(held.size, 60, 'the window');
  assert.ok(held.has(fileName('0', 200)));
});

test('glare: two peers that offer to each other at once end with one link, the smaller ID\'s offer', async () => {
  const { clock, loaders: [a, b] } = await swarm(2, {});
  a.connectTo([{ id: b.signaling.peerId, superPeer: false }]);
  b.connectTo([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(50);
  const ab = a.neighbours.get(b.signaling.peerId);
  const ba = b.neighbours.get(a.signaling.peerId);
  assert.equal(ab?.link.isOpen, true);
  assert.equal(ba?.link.isOpen, true);
  assert.equal(ab.inbound, false, 'a (aaa… < bbb…) kept its offer');
  assert.equal(ba.inbound, true, 'b answered it');
});
