// The Content Loader's decisions, with an in-memory WebRTC, a fake origin and a manual clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileName, parseFileName } from './content-loader.js';
import { INIT } from './wire.js';
import { settle } from './fakes.test-support.js';
import { segment, signedSwarm, swarm, url } from './loader.test-support.js';

test('file names map one to one onto segment references', () => {
  assert.deepEqual(parseFileName('chunk-stream0-00042.m4s'), { track: '0', number: 42 });
  assert.deepEqual(parseFileName('init-stream1.m4s'), { track: '1', number: INIT });
  assert.equal(fileName('0', 42), 'chunk-stream0-00042.m4s');
  assert.equal(parseFileName('chunk-stream0-42.m4s'), null, 'not the spelling the server uses');
  assert.equal(parseFileName('manifest.mpd'), null);
  // At least 5 digits (docs/protocol.md §4): numbers past 99 999 take as many as they need.
  assert.equal(fileName('0', 100_000), 'chunk-stream0-100000.m4s');
  assert.deepEqual(parseFileName('chunk-stream0-4294967294.m4s'), { track: '0', number: 4294967294 });
  assert.equal(parseFileName('chunk-stream0-0100000.m4s'), null, 'padded past 5 digits: no segment');
});

test('with no neighbour a segment comes over HTTP, verified, and is counted as HTTP', async () => {
  const name = 'chunk-stream0-00001.m4s';
  const { clock, origin, loaders: [a] } = await swarm(1, { [name]: segment(1) });
  a.start([]);
  const got = await a.load(url(name), clock.now() + 3000);
  assert.equal(got.source, 'http');
  assert.deepEqual(got.data, segment(1));
  assert.deepEqual(a.stats().bytes, { peer: 0, superPeer: 0, http: 40_000 });
  assert.deepEqual(origin.served, [name]);
  assert.equal(a.signaling.states.at(-1).streams[0].newest, 1, 'reports what it holds to the tracker');
});

test('a neighbour that announced the segment serves it; the origin sends nothing', async () => {
  const name = 'chunk-stream0-00002.m4s';
  const { clock, origin, loaders: [a, b] } = await swarm(2, { [name]: segment(2) });
  a.start([]);
  await a.load(url(name), clock.now() + 3000); // a holds it now
  b.start([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  assert.equal(b.stats().peers, 1);
  const got = await b.load(url(name), clock.now() + 3000);
  assert.equal(got.source, 'peer');
  assert.deepEqual(got.data, segment(2));
  assert.equal(origin.served.length, 1, 'only a fetched it from the origin');
  assert.equal(a.stats().uploaded, 40_000);
});

test('a segment nobody holds yet is waited for, then taken from the neighbour that announces it', async () => {
  const name = 'chunk-stream0-00003.m4s';
  const { clock, origin, loaders: [a, b] } = await swarm(2, { [name]: segment(3) });
  a.start([]);
  b.start([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  const pending = b.load(url(name), clock.now() + 4000);
  await clock.advance(500);
  assert.equal(origin.served.length, 0, 'b waits: the deadline is 4 s away');
  // a is connected to b, which does not hold it either: a waits too, then takes it from HTTP
  // (the origin) and announces it; b, still within its deadline, takes it from a.
  const aLoad = a.load(url(name), clock.now() + 3000);
  await clock.advance(2100);
  assert.equal((await aLoad).source, 'http');
  await clock.advance(10);
  assert.equal((await pending).source, 'peer');
  assert.deepEqual(origin.served, [name]);
});

test('when no neighbour announces it before deadline minus margin, it falls back to HTTP', async () => {
  const name = 'chunk-stream0-00004.m4s';
  const { clock, origin, loaders: [a, b] } = await swarm(2, { [name]: segment(4) });
  a.start([]);
  b.start([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  const pending = b.load(url(name), clock.now() + 3000);
  await clock.advance(1900);
  assert.equal(origin.served.length, 0);
  await clock.advance(200); // past deadline - 1 s margin
  assert.equal((await pending).source, 'http');
});

test('a peer that sends bytes not matching the published hash is dropped and the segment refetched', async () => {
  const name = 'chunk-stream0-00005.m4s';
  const { clock, origin, loaders: [a, b] } = await swarm(2, { [name]: segment(5) });
  a.start([]);
  await a.load(url(name), clock.now() + 3000);
  a.cache.get(name).data[100] ^= 0xff; // a turns hostile: its copy is corrupted
  b.start([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  const bad = [];
  b.addEventListener('bad-segment', (e) => bad.push(e.detail));
  const got = await b.load(url(name), clock.now() + 3000);
  assert.equal(got.source, 'http');
  assert.deepEqual(got.data, segment(5), 'the player only ever sees verified bytes');
  assert.deepEqual(bad, [{ stream: 'main', fileName: name, peer: a.signaling.peerId, reason: 'bad-segment' }]);
  await settle();
  assert.equal(b.stats().peers, 0, 'the hostile neighbour is disconnected');
  b.connectTo([{ id: a.signaling.peerId, superPeer: false }]);
  assert.equal(b.neighbours.size, 0, 'and never connected again');
  assert.equal(b.stats().bytes.peer, 0);
  assert.equal(origin.served.length, 2);
});

test('state names in servedBy the peers that delivered a verified segment since the previous state; never HTTP, never a bad sender', async () => {
  const [one, two, three] = [1, 2, 3].map((i) => fileName('0', i));
  const { clock, loaders: [v, a, b, c] } = await swarm(4, { [one]: segment(1), [two]: segment(2), [three]: segment(3) });
  for (const l of [a, b, c]) l.start([]);
  await a.load(url(one), clock.now() + 3000);
  await b.load(url(two), clock.now() + 3000);
  await c.load(url(three), clock.now() + 3000);
  c.cache.get(three).data[7] ^= 1; // c turns hostile
  v.start([a, b, c].map((l) => ({ id: l.signaling.peerId, superPeer: false })));
  await clock.advance(10);
  const load = async (/** @type {string} */ name) => {
    const pending = v.load(url(name), clock.now() + 3000);
    await clock.advance(2500);
    return (await pending).source;
  };
  const servedBy = () => v.signaling.states.at(-1).servedBy;

  assert.equal(await load(one), 'peer');
  assert.deepEqual(servedBy(), [a.signaling.peerId]);
  assert.equal(await load(two), 'peer');
  assert.deepEqual(servedBy(), [b.signaling.peerId], 'a was named already');
  assert.equal(await load(three), 'http');
  assert.deepEqual(servedBy(), [], 'c sent bad bytes, the origin is no peer');
});

test('HTTP bytes that do not match the hash are refused too', async () => {
  const name = 'chunk-stream0-00006.m4s';
  const { clock, origin, loaders: [a] } = await swarm(1, { [name]: segment(6) });
  origin.hashes[name] = '00'.repeat(32);
  a.start([]);
  await assert.rejects(a.load(url(name), clock.now() + 3000), /does not match/);
  assert.equal(a.cache.size, 0, 'nothing unverified is kept or shared');
});

test('requests for segments not held are answered NOT_FOUND and the requester moves on', async () => {
  const name = 'chunk-stream0-00007.m4s';
  const { clock, loaders: [a, b] } = await swarm(2, { [name]: segment(7) });
  a.start([]);
  await a.load(url(name), clock.now() + 3000);
  b.start([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  a.cache.delete(name); // evicted after announcing
  const pending = b.load(url(name), clock.now() + 3000);
  await clock.advance(10);
  assert.equal(a.stats().uploaded, 0, 'a answered NOT_FOUND');
  await clock.advance(2000); // nobody else can serve it: HTTP at deadline - margin
  assert.equal((await pending).source, 'http');
});

test('the window keeps init segments and the newest media segments only', async () => {
  const segs = { 'init-stream0.m4s': segment(0, 100) };
  for (let i = 1; i <= 5; i++) segs[fileName('0', i)] = segment(i, 100);
  const { clock, loaders: [a] } = await swarm(1, segs);
  a.windowSegments = 3;
  a.start([]);
  for (const name of Object.keys(segs)) await a.load(url(name), clock.now() + 3000);
  assert.deepEqual([...a.cache.keys()], ['init-stream0.m4s', fileName('0', 3), fileName('0', 4), fileName('0', 5)]);
});

test('URLs outside the stream are not handled', async () => {
  const { loaders: [a] } = await swarm(1, {});
  assert.equal(a.handles(url('chunk-stream0-00001.m4s')), true);
  assert.equal(a.handles('http://127.0.0.1:8080/live/other/chunk-stream0-00001.m4s'), false);
  assert.equal(a.handles('http://evil.example/live/main/chunk-stream0-00001.m4s'), false);
  assert.equal(a.handles(url('manifest.mpd')), false);
});

// --- signed streams (docs/protocol.md §6) ---------------------------------------------------

test('signed stream: a segment is accepted only if it matches its signed statement', async () => {
  const name = 'chunk-stream0-00008.m4s';
  const { clock, loaders: [a, b], signatures } = await signedSwarm(2, { [name]: segment(8) });
  a.start([]);
  assert.equal((await a.load(url(name), clock.now() + 3000)).source, 'http');
  b.start([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  assert.equal((await b.load(url(name), clock.now() + 3000)).source, 'peer');
  assert.equal(b.trusted.get(name).sha256, signatures[name].sha256);
});

test('signed stream: a forged segment of the right length is refused, the sender cut and reported', async () => {
  const name = 'chunk-stream0-00009.m4s';
  const { clock, loaders: [a, b] } = await signedSwarm(2, { [name]: segment(9) });
  a.start([]);
  await a.load(url(name), clock.now() + 3000);
  const forged = segment(9).map((x) => x ^ 0x55);
  a.cache.set(name, { ...a.cache.get(name), data: forged }); // same length and statement, other bytes
  b.start([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  const got = await b.load(url(name), clock.now() + 3000);
  assert.equal(got.source, 'http');
  assert.deepEqual(got.data, segment(9));
  assert.deepEqual(b.signaling.reports, [{ peer: a.signaling.peerId, stream: 'main', reason: 'bad-segment' }]);
});

test('signed stream: a peer announcing another length is cut at its first chunk', async () => {
  const name = 'chunk-stream0-00010.m4s';
  const { clock, loaders: [a, b] } = await signedSwarm(2, { [name]: segment(10) });
  a.start([]);
  await a.load(url(name), clock.now() + 3000);
  a.cache.set(name, { ...a.cache.get(name), data: segment(10, 50_000) });
  b.start([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  assert.equal((await b.load(url(name), clock.now() + 3000)).source, 'http');
  assert.deepEqual(b.signaling.reports?.map((r) => r.reason), ['wrong-length']);
});

test('signed stream: a statement that does not verify is refused before its bytes are used, the sender cut and reported', async () => {
  const name = 'chunk-stream0-00011.m4s';
  const { clock, loaders: [a, b] } = await signedSwarm(2, { [name]: segment(11) });
  a.start([]);
  await a.load(url(name), clock.now() + 3000);
  const held = a.cache.get(name);
  const sig = held.statement.sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
  a.cache.set(name, { ...held, statement: { ...held.statement, sig } }); // the genuine bytes, a forged statement
  b.start([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);

  const got = await b.load(url(name), clock.now() + 3000);

  assert.equal(got.source, 'http');
  assert.deepEqual(b.signaling.reports?.map((r) => r.reason), ['bad-segment']);
  assert.equal(b.trusted.get(name).sig, held.statement.sig, 'only the genuine statement is trusted');
});

test('signed stream: statements come with the segments, from peers and from the origin: signatures.json is never fetched', async () => {
  const names = [1, 2, 3].map((i) => fileName('0', i));
  const segs = Object.fromEntries(names.map((n, i) => [n, segment(i + 1)]));
  const { clock, origin, loaders: [a, b] } = await signedSwarm(2, segs);
  const asked = [];
  for (const l of [a, b]) { const f = l.fetch; l.fetch = (u, ...r) => { asked.push(String(u).split('/').pop()); return f(u, ...r); }; }
  a.start([]);
  for (const n of names) await a.load(url(n), clock.now() + 3000);
  b.start([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  for (const n of names) assert.equal((await b.load(url(n), clock.now() + 3000)).source, 'peer');

  assert.deepEqual(asked, names, 'the segments, once, and nothing else');
  assert.deepEqual([...b.trusted.keys()], names);
});

test('signed stream: a segment the origin sent without its statement (a CDN stripped the header) is played, never shared', async () => {
  const name = fileName('0', 12);
  const { clock, loaders: [a, b] } = await signedSwarm(2, { [name]: segment(12) }, { header: false });
  a.start([]);
  assert.equal((await a.load(url(name), clock.now() + 3000)).source, 'http');
  assert.equal(a.main.haveMessage().held.length, 0, 'not announced: nobody could check it');
  assert.equal(a.signaling.states.at(-1).streams[0].segments, 0);
  b.start([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);
  const got = b.load(url(name), clock.now() + 3000); // nobody claims it: waits for one, then HTTP
  await clock.advance(3000);
  assert.equal((await got).source, 'http');
  assert.equal(a.stats().uploaded, 0);
});

test('signed stream: an origin response whose statement header does not verify is refused', async () => {
  const name = fileName('0', 13);
  const { clock, loaders: [a], signatures } = await signedSwarm(1, { [name]: segment(13) });
  const plain = a.fetch;
  const forged = { ...signatures[name], sha256: '0'.repeat(64) };
  a.fetch = async (u) => new Response(await (await plain(u)).arrayBuffer(), { headers: { 'P2P-Collab-Statement': JSON.stringify(forged) } });
  a.start([]);
  await assert.rejects(a.load(url(name), clock.now() + 3000), /does not match its statement/);
  a.fetch = async () => new Response(segment(13), { headers: { 'P2P-Collab-Statement': '{"length":' } });
  await assert.rejects(a.load(url(name), clock.now() + 3000), /malformed P2P-Collab-Statement/);
  assert.equal(a.cache.size, 0);
});

test('one loader serves several streams over the same neighbours: an overlay flows peer to peer too', async () => {
  const CAM = { id: 'cam.alice', manifestUrl: '/live/cam.alice/manifest.mpd', hashesUrl: '/live/cam.alice/hashes.json' };
  const camUrl = (name) => `http://127.0.0.1:8080/live/cam.alice/${name}`;
  const name = 'chunk-stream0-00003.m4s';
  const { clock, origin, loaders: [a, b] } = await swarm(2, { [name]: segment(3) });
  for (const l of [a, b]) l.addStream(CAM);
  a.start([]);
  await a.load(camUrl(name), clock.now() + 3000);
  b.start([{ id: a.signaling.peerId, superPeer: false }]);
  await clock.advance(10);

  const got = await b.load(camUrl(name), clock.now() + 3000);

  assert.equal(got.source, 'peer');
  assert.equal(b.cache.size, 0, 'the main stream holds nothing of the overlay');
  assert.deepEqual(b.stats().streams['cam.alice'].bytes, { peer: 40_000, superPeer: 0, http: 0 });
  assert.equal(b.stats().streams['cam.alice'].p2pRatio, 1);
  assert.deepEqual(origin.served, [name], 'only the first viewer used HTTP');
  assert.ok(b.handles(camUrl(name), 'cam.alice') && !b.handles(camUrl(name), 'main'));

  b.removeStream('cam.alice');
  assert.deepEqual(b.signaling.states.at(-1).streams.map((s) => s.stream), ['main'], 'the Tracker stops listing it as a source');
  assert.equal(b.handles(camUrl(name)), false);
});
