// Neighbour slots: inbound and outbound apart, and idle links closed (issue 8: unsolicited offers
// must not occupy a viewer's slots).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ID, segment, swarm, url } from './loader.test-support.js';

const name = 'chunk-stream0-00001.m4s';

/** When each neighbour of `loader` opened, by ID. */
function openTimes(loader, clock) {
  const at = new Map();
  loader.addEventListener('neighbour', (e) => { if (e.detail.open) at.set(e.detail.id, clock.now()); });
  return at;
}

test('strangers offering fill at most the 4 inbound slots; the 4 outbound slots stay for the peers the Coordinator hands us', async () => {
  const { clock, loaders: [v, ...others], raw } = await swarm(6, {});
  const strangers = ['s', 't', 'u', 'w', 'x'].map((c) => raw(ID(c)));
  for (const s of strangers) s.offerTo(v.signaling.peerId);
  await clock.advance(10);
  assert.equal(v.slots.inbound, 4);
  assert.equal(strangers.filter((s) => s.link.isOpen).length, 4, 'the fifth offer is not answered');

  v.connectTo(others.map((o) => ({ id: o.signaling.peerId, superPeer: false })));
  await clock.advance(10);
  assert.equal(v.slots.outbound, 4, 'four of the five peers handed over, despite the strangers');
  assert.equal(v.openNeighbours().length, 8);
  v.reportState();
  assert.equal(v.signaling.states.at(-1).uploadSlots, 0, 'no inbound slot left to offer newcomers');
});

test('a link that carries no REQUEST within 5 s of opening is closed and its slot freed; HAVEs do not keep it', async () => {
  const { clock, loaders: [v], raw } = await swarm(1, {});
  const opened = openTimes(v, clock);
  const stranger = raw(ID('s'));
  stranger.offerTo(v.signaling.peerId);
  await clock.advance(10);
  const deadline = opened.get(stranger.id) + 5000;
  stranger.send({ type: 'HAVE', stream: 'main', held: [] });
  await clock.advance(deadline - 1 - clock.now());
  assert.equal(v.neighbours.get(stranger.id)?.link.isOpen, true, 'open until 5 s');
  await clock.advance(1);
  assert.equal(v.neighbours.has(stranger.id), false, 'closed at 5 s');
  assert.equal(v.slots.inbound, 0);
  assert.equal(v.blocked.has(stranger.id), false, 'idle is not hostile: it may offer again');
  assert.equal(v.signaling.reports, undefined, 'and an idle link is not reported');
});

test('a link that carried a REQUEST, either way, stays open past 5 s', async () => {
  const { clock, loaders: [v, a] } = await swarm(2, { [name]: segment(1) });
  await a.load(url(name), clock.now()); // a holds it
  v.connectTo([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  assert.equal((await v.load(url(name), clock.now() + 3000)).source, 'peer');
  await clock.advance(60_000);
  assert.equal(v.neighbours.get(a.signaling.peerId)?.link.isOpen, true, 'the requester keeps it');
  assert.equal(a.neighbours.get(v.signaling.peerId)?.link.isOpen, true, 'and so does the server');
});

test('the upload link to the ingesting super-peer is exempt from the idle rule, even past the outbound cap', async () => {
  const { clock, loaders: [v, ...others], raw } = await swarm(5, {});
  const superPeer = raw(ID('p'));
  v.connectTo(others.map((o) => ({ id: o.signaling.peerId, superPeer: false })));
  await clock.advance(10);
  assert.equal(v.slots.outbound, 4);
  const link = v.ensureNeighbour(superPeer.id, true);
  await clock.advance(10);
  assert.equal((await link).isOpen, true);
  await clock.advance(60_000);
  assert.equal((await link).isOpen, true);
  assert.deepEqual(v.openNeighbours().map(([id]) => id), [superPeer.id], 'the idle links to the others are gone, the upload link stays');
});

test('a PUSH counts like a REQUEST: a contributor\'s link carries no REQUEST at all', async () => {
  const { clock, loaders: [v, ingest] } = await swarm(2, {});
  v.connectTo([{ id: ingest.signaling.peerId, superPeer: true }]);
  await clock.advance(4000);
  v.neighbours.get(ingest.signaling.peerId).link.send({ type: 'PUSH', number: 1, totalLength: 3, offset: 0, payload: Uint8Array.of(1, 2, 3) });
  await clock.advance(60_000);
  assert.equal(v.neighbours.get(ingest.signaling.peerId)?.link.isOpen, true);
  assert.equal(ingest.neighbours.get(v.signaling.peerId)?.link.isOpen, true, 'on the receiving side too');
});

test('the slot caps are options: maxInbound and maxOutbound', async () => {
  const { clock, loaders: [v, ...others], raw } = await swarm(4, {}, { options: { maxInbound: 1, maxOutbound: 2 } });
  const strangers = [raw(ID('s')), raw(ID('t'))];
  for (const s of strangers) s.offerTo(v.signaling.peerId);
  v.connectTo(others.map((o) => ({ id: o.signaling.peerId, superPeer: false })));
  await clock.advance(10);
  assert.deepEqual([v.slots.inbound, v.slots.outbound], [1, 2]);
});
