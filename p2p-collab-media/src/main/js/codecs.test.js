// Golden fixtures shared with the Java codec tests: the JS and Java peers cannot drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as signaling from './signaling-codec.js';
import * as wire from './wire.js';
import * as scheduler from './scheduler.js';
import { ServingBudget, SERVING_DEFAULTS } from './serving-budget.js';

const fixture = (name) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../../../p2p-collab-core/src/test/resources/fixtures/${name}`, import.meta.url)), 'utf8'));
const hex = (s) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
const toHex = (b) => Buffer.from(b).toString('hex');

test('signaling: every valid fixture decodes and encodes back byte for byte', () => {
  for (const c of fixture('signaling.json').valid) {
    assert.equal(signaling.encode(signaling.decode(c.frame)), c.frame, c.name);
  }
});

test('signaling: lenient fixtures encode to their canonical form', () => {
  for (const c of fixture('signaling.json').lenient) {
    assert.equal(signaling.encode(signaling.decode(c.frame)), c.canonical, c.name);
  }
});

test('signaling: every invalid fixture fails with its code', () => {
  for (const c of fixture('signaling.json').invalid) {
    assert.throws(() => signaling.decode(c.frame), (e) => e instanceof signaling.SignalingError && e.code === c.error, c.name);
  }
});

test('signaling: frames over 64 KiB are FRAME_TOO_LARGE, counted in UTF-8 bytes', () => {
  const frame = `{"v":1,"type":"hello","role":"viewer","token":"${'é'.repeat(40000)}"}`;
  assert.throws(() => signaling.decode(frame), (e) => e.code === 'FRAME_TOO_LARGE');
});

test('signaling: hostile nesting is BAD_MESSAGE, not a stack overflow', () => {
  const frame = `{"v":1,"type":"leave","x":${'['.repeat(20000)}${']'.repeat(20000)}}`;
  assert.throws(() => signaling.decode(frame), (e) => e.code === 'BAD_MESSAGE');
});

test('wire: every valid fixture encodes to its hex and decodes to its fields', () => {
  for (const c of fixture('wire.json').valid) {
    // Byte fields are hex in the fixture.
    const bytesIn = (m, f) => ['DATA', 'PUSH'].includes(m.type) ? { ...m, payload: f(m.payload) }
      : m.type === 'STATEMENT' ? { ...m, sha256: f(m.sha256), sig: f(m.sig) } : m;
    assert.equal(toHex(wire.encode(bytesIn(c.fields, hex))), c.hex, c.name);
    assert.deepEqual(bytesIn(wire.decode(hex(c.hex)), toHex), c.fields, c.name);
  }
});

test('wire: every invalid fixture fails with its code', () => {
  for (const c of fixture('wire.json').invalid) {
    const bytes = new Uint8Array(Math.max(c.padTo ?? 0, c.hex.length / 2));
    bytes.set(hex(c.hex));
    assert.throws(() => wire.decode(bytes), (e) => e instanceof wire.WireError && e.code === c.error, c.name);
  }
});

test('wire: split and reassemble round trip, and the assembler refuses out-of-order chunks', () => {
  for (const size of [1, 16384, 16385, 100_000]) {
    const segment = Uint8Array.from({ length: size }, (_, i) => i * 7);
    const chunks = wire.split(3, segment).map((m) => wire.decode(wire.encode(m)));
    assert.ok(chunks.every((c) => c.payload.length <= wire.MAX_PAYLOAD));
    const a = new wire.Assembler(3);
    chunks.forEach((c, i) => assert.equal(a.accept(c), i === chunks.length - 1));
    assert.deepEqual(a.segment(), segment);
  }
  const chunks = wire.split(1, new Uint8Array(40000));
  const a = new wire.Assembler(1);
  assert.throws(() => a.accept(chunks[1]), (e) => e.code === 'BAD_MESSAGE');
});

test('scheduler: the JS port passes the Java vectors', () => {
  const f = fixture('scheduler.json');
  for (const c of f.selectPeers) {
    assert.deepEqual(scheduler.selectPeers(c.input, { ...f.defaultConfig, ...c.config }), c.expected, c.name);
  }
  for (const c of f.chooseSource) {
    assert.deepEqual(scheduler.chooseSource(c.input, { ...f.defaultConfig, ...c.config }), c.expected, c.name);
  }
  for (const c of f.requestDeadline) {
    assert.equal(scheduler.requestDeadline(c.input, { ...f.defaultConfig, ...c.config }), c.expected, c.name);
  }
  for (const c of f.transferBehind) {
    assert.equal(scheduler.transferBehind(c.input, { ...f.defaultConfig, ...c.config }), c.expected, c.name);
  }
  assert.deepEqual({ ...scheduler.DEFAULT_CONFIG }, f.defaultConfig, 'the vectors\' defaults are the SDK\'s');
});

test('serving budget: the JS port passes the shared vectors', () => {
  const f = fixture('serving.json');
  assert.deepEqual({ ...SERVING_DEFAULTS }, f.defaultConfig, 'the vectors\' defaults are the SDK\'s');
  for (const c of f.scenarios) {
    const budget = new ServingBudget({ ...f.defaultConfig, ...c.config });
    const got = c.events.map((e) => (e.type === 'request' ? budget.request(e.atMs, e.active) : budget.refuse(e.atMs)));
    assert.deepEqual(got, c.expected, c.name);
  }
});
