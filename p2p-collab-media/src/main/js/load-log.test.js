// The loads log: what a page's Content Loader did for each segment, for diagnosing stalls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileName } from './content-loader.js';
import { LoadLog } from './load-log.js';
import { segment, swarm, url } from './loader.test-support.js';

const names = [fileName('0', 1), fileName('0', 2)];
const segments = Object.fromEntries(names.map((n, i) => [n, segment(i + 1)]));

test('each load is recorded: how far ahead it was needed, how long it took, the neighbours tried and the source', async () => {
  const { clock, loaders: [v, a] } = await swarm(2, segments);
  // v takes segment 1 over HTTP (no neighbour yet); a then takes it from v.
  const start = clock.now();
  await v.load(url(names[0]), start + 3000);
  a.connectTo([{ id: v.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  const fromPeer = a.load(url(names[0]), clock.now() + 4000);
  await clock.advance(10);
  await fromPeer;

  const [http] = v.recentLoads();
  assert.equal(http.name, names[0]);
  assert.equal(http.neededInMs, 3000);
  assert.equal(http.source, 'http');
  assert.deepEqual(http.tries.map((t) => [t.peer, t.outcome]), [['http', 'ok']]);
  assert.ok(http.tries[0].ms >= 0, 'the HTTP try is timed too');
  const [peer] = a.recentLoads();
  assert.equal(peer.source, 'peer');
  assert.deepEqual(peer.tries.map((t) => [t.peer, t.outcome]), [[v.signaling.peerId, 'ok']]);
  assert.ok(peer.tookMs >= 0 && peer.tookMs <= 20, `took ${peer.tookMs} ms`);
});

test('the log keeps the newest records only, and hands out copies', () => {
  const log = new LoadLog(2);
  log.start('main', 'a', 0, 10);
  log.start('main', 'b', 1, 10);
  log.start('main', 'c', 2, 10).tries.push({ peer: 'http', superPeer: false, ms: 1, outcome: 'ok' });
  const recent = log.recent();
  assert.deepEqual(recent.map((r) => r.name), ['b', 'c']);
  recent[1].tries.length = 0;
  assert.equal(log.records[1].tries.length, 1, 'a copy: changing it leaves the log as it was');
});
