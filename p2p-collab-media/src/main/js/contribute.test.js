// Going live, as the page's SDK does it: a real Chromium recording played back through a stand-in
// MediaRecorder, pushed to a stand-in super-peer link that acknowledges what the test says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Contribution } from './contribute.js';
import { boxes, readPrft } from './fmp4.js';
import { INIT, STORED, WIRE_ERRORS } from './wire.js';

const recording = new Uint8Array(readFileSync(new URL('../../test/resources/contribution/chromium-mediarecorder.mp4', import.meta.url)));
const SP = 'S'.repeat(22);
const tick = () => new Promise((r) => setImmediate(r));

/** Plays the recording back in 5 KiB blobs, as MediaRecorder hands out data. */
class RecordingPlayback {
  constructor(stream, options) { this.options = options; this.state = 'inactive'; RecordingPlayback.last = this; }
  start() {
    this.state = 'recording';
    this.onstart?.();
    for (let i = 0; i < recording.length; i += 5000) this.ondataavailable?.({ data: new Blob([recording.subarray(i, i + 5000)]) });
  }
  stop() { this.state = 'inactive'; }
}

function setUp({ maxInFlight = 2 } = {}) {
  globalThis.MediaRecorder = RecordingPlayback;
  RecordingPlayback.last = undefined;
  const signaling = new EventTarget();
  signaling.sent = [];
  signaling.send = (m) => signaling.sent.push(m);
  const link = new EventTarget();
  link.id = SP;
  link.isOpen = true;
  link.sent = [];
  link.send = (m) => { link.sent.push(m); return true; };
  const loader = new EventTarget();
  loader.ensureNeighbour = async (id) => { assert.equal(id, SP); return link; };
  const c = new Contribution({ signaling, loader, stream: 'cam-a', token: 'tok', media: {}, maxInFlight });
  const statuses = [];
  c.addEventListener('status', (e) => statuses.push(e.detail.status));
  const ack = (number, code = STORED, message = '') => loader.dispatchEvent(new CustomEvent('ack', { detail: { peer: SP, number, code, message } }));
  const pushedNumbers = () => [...new Set(link.sent.map((m) => m.number))];
  const grant = () => signaling.dispatchEvent(new CustomEvent('contribution', { detail: { stream: 'cam-a', status: 'granted', uploadTo: SP } }));
  return { c, signaling, link, statuses, ack, pushedNumbers, grant };
}

test('contribute: asks with its token, records once granted, and pushes init then segments in order within the window', async () => {
  const { c, signaling, link, statuses, ack, pushedNumbers, grant } = setUp();
  c.start();
  assert.deepEqual(signaling.sent, [{ type: 'contribute', stream: 'cam-a', token: 'tok' }]);
  assert.equal(RecordingPlayback.last, undefined, 'nothing is recorded before the grant');
  grant();
  await tick(); await tick(); await tick();
  assert.ok(RecordingPlayback.last, 'recording starts with the grant');
  assert.equal(RecordingPlayback.last.options.mimeType, 'video/mp4;codecs=avc1,opus');
  assert.deepEqual(statuses, ['granted', 'live']);
  for (let i = 0; i < 20; i++) await tick();

  assert.deepEqual(pushedNumbers(), [INIT, 1], 'two in flight, the rest wait');
  ack(INIT);
  ack(1);
  assert.deepEqual(pushedNumbers(), [INIT, 1, 2, 3]);
  ack(2); ack(3);
  assert.deepEqual(c.stats().acked, 3);

  // What was pushed is the recording: chunks reassemble to init + stamped segments.
  const bytesOf = (n) => {
    const chunks = link.sent.filter((m) => m.number === n);
    const out = new Uint8Array(chunks[0].totalLength);
    for (const m of chunks) out.set(m.payload, m.offset);
    return out;
  };
  assert.deepEqual(boxes(bytesOf(INIT)).map((b) => b.type), ['ftyp', 'moov']);
  for (const n of [1, 2, 3]) {
    assert.deepEqual(boxes(bytesOf(n)).map((b) => b.type), ['prft', 'moof', 'mdat']);
    assert.ok(link.sent.filter((m) => m.number === n).every((m) => m.payload.length <= 16384));
  }
  const [p1, p2] = [readPrft(bytesOf(1)), readPrft(bytesOf(2))];
  assert.ok(Math.abs(p1.wallMs - Date.now()) < 60_000, 'stamped with the wall clock of capture');
  assert.ok(Math.abs((p2.wallMs - p1.wallMs) - (p2.mediaTime - p1.mediaTime) / 30) <= 1, 'stamps follow the media time');
});

test('contribute: a refused segment is reported; FORBIDDEN stops the recording and drops what waits', async () => {
  const { c, statuses, ack, pushedNumbers, grant } = setUp({ maxInFlight: 1 });
  const errors = [];
  c.addEventListener('error', (e) => errors.push(e.detail.code));
  c.start();
  grant();
  for (let i = 0; i < 25; i++) await tick();
  ack(INIT, WIRE_ERRORS.BAD_REQUEST, 'bad segment');
  assert.deepEqual(errors, [WIRE_ERRORS.BAD_REQUEST]);
  ack(1, WIRE_ERRORS.FORBIDDEN, 'no contribution grant');
  assert.equal(statuses.at(-1), 'revoked');
  assert.equal(RecordingPlayback.last.state, 'inactive');
  assert.equal(c.stats().queued, 0);
  assert.deepEqual(pushedNumbers(), [INIT, 1], 'nothing more is pushed');
});

test('contribute: without a grant the refusal is shown, and an approval later starts it', async () => {
  const { c, signaling, statuses, grant } = setUp();
  c.start();
  signaling.dispatchEvent(new CustomEvent('error', { detail: { type: 'error', code: 'UNAUTHORIZED', message: 'no grant', ref: 'contribute' } }));
  signaling.dispatchEvent(new CustomEvent('contribution', { detail: { stream: 'cam-a', status: 'pending' } }));
  signaling.dispatchEvent(new CustomEvent('contribution', { detail: { stream: 'other', status: 'granted', uploadTo: SP } }));
  assert.deepEqual(statuses, ['refused', 'pending']);
  grant();
  for (let i = 0; i < 5; i++) await tick();
  assert.deepEqual(statuses, ['refused', 'pending', 'granted', 'live']);
  signaling.dispatchEvent(new CustomEvent('contribution', { detail: { stream: 'cam-a', status: 'revoked', reason: 'by an operator' } }));
  assert.equal(statuses.at(-1), 'revoked');
  assert.equal(RecordingPlayback.last.state, 'inactive');
});
