// The signaling client against a fake WebSocket and fake timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignalingClient } from './signaling.js';
import { encode } from './signaling-codec.js';

const PEER = 'q3L0xYz9AbCdEfGhIjKlMn';
const OTHER = 'b_-9Zz8Yy7Xx6Ww5Vv4Uu3';

function fakeSocket() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) { this.url = url; this.readyState = 0; this.sent = []; sockets.push(this); setImmediate(() => { this.readyState = 1; this.onopen?.(); }); }
    send(f) { this.sent.push(JSON.parse(f)); }
    close() { this.readyState = 3; setImmediate(() => this.onclose?.()); }
    serverSends(m) { this.onmessage?.({ data: typeof m === 'string' ? m : encode(m) }); }
  }
  return { sockets, FakeWebSocket };
}

function fakeIntervals() {
  const timers = [];
  return { timers, setInterval: (fn, ms) => (timers.push({ fn, ms }), timers.length), clearInterval: () => { timers.length = 0; } };
}

const welcome = { type: 'welcome', peerId: PEER, iceServers: [], heartbeatMs: 1000, streams: [] };

async function connected() {
  const { sockets, FakeWebSocket } = fakeSocket();
  const iv = fakeIntervals();
  const client = new SignalingClient('ws://127.0.0.1:1/signal', { WebSocket: FakeWebSocket, ...iv });
  const w = client.connect();
  await new Promise((r) => setImmediate(r));
  sockets[0].serverSends(welcome);
  await w;
  return { client, socket: sockets[0], iv };
}

test('registers with hello and resolves with the welcome', async () => {
  const { client, socket } = await connected();
  assert.deepEqual(socket.sent[0], { v: 1, type: 'hello', role: 'viewer' });
  assert.equal(client.peerId, PEER);
});

test('join resolves with joined; a refused join rejects with the error code', async () => {
  const { client, socket } = await connected();
  const joined = client.join('main');
  socket.serverSends({ type: 'joined', stream: { id: 'main', manifestUrl: '/m', hashesUrl: '/h' }, peers: [{ id: OTHER, superPeer: true }] });
  assert.deepEqual((await joined).peers, [{ id: OTHER, superPeer: true }]);
  const refused = client.join('nope');
  socket.serverSends({ type: 'error', code: 'UNKNOWN_STREAM', message: 'no such stream', ref: 'join' });
  await assert.rejects(refused, (e) => e.code === 'UNKNOWN_STREAM');
});

test('state is sent when it changes, and repeated every heartbeat even when it does not', async () => {
  const { client, socket, iv } = await connected();
  const state = { streams: [{ stream: 'main', segments: 2, newest: 7 }], uploadSlots: 3 };
  client.setState(state);
  client.setState({ ...state });
  assert.equal(socket.sent.filter((m) => m.type === 'state').length, 1, 'an unchanged state is not resent at once');
  assert.equal(iv.timers[0].ms, 1000);
  iv.timers[0].fn();
  iv.timers[0].fn();
  assert.equal(socket.sent.filter((m) => m.type === 'state').length, 3, 'the heartbeat repeats it');
});

test('relayed signals, peer lists and departures become events; garbage becomes an error event', async () => {
  const { client, socket } = await connected();
  const seen = [];
  for (const t of ['signal', 'peers', 'peer-left', 'error']) client.addEventListener(t, (e) => seen.push([t, e.detail]));
  socket.serverSends({ type: 'signal', from: OTHER, kind: 'offer', sdp: 'v=0' });
  socket.serverSends({ type: 'peers', stream: 'main', peers: [] });
  socket.serverSends({ type: 'peer-left', peerId: OTHER, stream: 'main' });
  socket.serverSends('{"v":1,"type":"teleport"}');
  assert.deepEqual(seen.map(([t]) => t), ['signal', 'peers', 'peer-left', 'error']);
  assert.equal(seen[0][1].from, OTHER);
  assert.equal(seen[3][1].code, 'UNKNOWN_TYPE');
});

test('signal relays by ID and close leaves gracefully', async () => {
  const { client, socket, iv } = await connected();
  client.signal(OTHER, 'candidate', { candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 } });
  assert.deepEqual(socket.sent.at(-1), { v: 1, type: 'signal', to: OTHER, kind: 'candidate', candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 } });
  let closed = 0;
  client.addEventListener('close', () => closed++);
  client.close();
  client.close();
  assert.deepEqual(socket.sent.at(-1), { v: 1, type: 'leave' });
  assert.equal(closed, 1);
  assert.equal(iv.timers.length, 0, 'the heartbeat stops');
});

test('a dropped socket reconnects after a jittered back-off, registers again and says so', async () => {
  const { sockets, FakeWebSocket } = fakeSocket();
  const timers = [];
  const client = new SignalingClient('ws://127.0.0.1:1/signal', {
    WebSocket: FakeWebSocket, ...fakeIntervals(), random: () => 1, setTimeout: (fn, ms) => timers.push({ fn, ms }),
  });
  const w = client.connect();
  await new Promise((r) => setImmediate(r));
  sockets[0].serverSends(welcome);
  await w;
  client.setState({ streams: [{ stream: 'main', segments: 1, newest: 1 }], uploadSlots: 2 });
  const events = [];
  client.addEventListener('disconnected', () => events.push('disconnected'));
  client.addEventListener('reconnected', (e) => events.push(`reconnected as ${e.detail.peerId}`));
  client.addEventListener('close', () => events.push('close'));

  sockets[0].close(); // the Coordinator went away
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events, ['disconnected']);
  assert.equal(client.peerId, null);
  assert.deepEqual(timers.map((t) => t.ms), [250]);

  timers[0].fn(); // first attempt: the server is still down
  await new Promise((r) => setImmediate(r));
  sockets[1].close();
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(timers.map((t) => t.ms), [250, 500], 'the back-off doubles');

  timers[1].fn(); // second attempt: the Coordinator is back
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sockets[2].sent[0], { v: 1, type: 'hello', role: 'viewer' });
  sockets[2].serverSends({ ...welcome, peerId: OTHER });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events, ['disconnected', `reconnected as ${OTHER}`]);
  assert.equal(client.peerId, OTHER);
  assert.equal(sockets[2].sent.filter((m) => m.type === 'state').length, 1, 'what it holds is reported at once');
});

test('with reconnecting off, a dropped socket ends the client', async () => {
  const { sockets, FakeWebSocket } = fakeSocket();
  const client = new SignalingClient('ws://127.0.0.1:1/signal', { WebSocket: FakeWebSocket, ...fakeIntervals(), reconnect: false });
  const w = client.connect();
  await new Promise((r) => setImmediate(r));
  sockets[0].serverSends(welcome);
  await w;
  let closed = 0;
  client.addEventListener('close', () => closed++);
  sockets[0].close();
  await new Promise((r) => setImmediate(r));
  assert.equal(closed, 1);
});

test('servedBy: a peer not named before sends the state at once; each is named once; one named again waits for the heartbeat', async () => {
  const { client, socket, iv } = await connected();
  const holdings = { streams: [{ stream: 'main', segments: 2, newest: 7 }], uploadSlots: 3 };
  const states = () => socket.sent.filter((m) => m.type === 'state').map((m) => m.servedBy);
  client.setState({ ...holdings, servedBy: [OTHER] });
  assert.deepEqual(states(), [[OTHER]], 'a new proven source is news: sent at once');
  client.setState({ ...holdings, servedBy: [OTHER] });
  client.setState({ ...holdings, servedBy: [] });
  assert.deepEqual(states(), [[OTHER]], 'nothing new: not resent at once');
  iv.timers[0].fn();
  assert.deepEqual(states(), [[OTHER], [OTHER]], 'the heartbeat carries the delivery that waited');
  iv.timers[0].fn();
  assert.deepEqual(states(), [[OTHER], [OTHER], undefined], 'then no one: nobody delivered since the previous state');
});

test('servedBy: at most 8 peers in one state; the others are named in the next', async () => {
  const { client, socket, iv } = await connected();
  const peers = Array.from({ length: 10 }, (_, i) => String.fromCharCode(65 + i).repeat(22));
  client.setState({ streams: [], uploadSlots: 0, servedBy: peers });
  iv.timers[0].fn();
  const sent = socket.sent.filter((m) => m.type === 'state').map((m) => m.servedBy);
  assert.deepEqual(sent, [peers.slice(0, 8), peers.slice(8)]);
});
