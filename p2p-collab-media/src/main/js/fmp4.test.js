// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { boxes, decodeTime, FragmentCutter, prftBox, readPrft, timingTrack } from './fmp4.js';

// What Chromium's MediaRecorder produced (see the README next to it).
const recording = new Uint8Array(readFileSync(new URL('../../test/resources/contribution/chromium-mediarecorder.mp4', import.meta.url)));

test('fmp4: a MediaRecorder stream fed in odd pieces is cut into its init segment and one segment per fragment', () => {
  const cutter = new FragmentCutter();
  const out = [];
  for (let i = 0; i < recording.length; i += 7777) out.push(...cutter.push(recording.subarray(i, i + 7777)));

  assert.deepEqual(out.map((o) => o.kind), ['init', 'segment', 'segment', 'segment']);
  assert.deepEqual(boxes(out[0].bytes).map((b) => b.type), ['ftyp', 'moov']);
  for (const s of out.slice(1)) assert.deepEqual(boxes(s.bytes).map((b) => b.type), ['moof', 'mdat']);
  assert.equal(out.reduce((n, o) => n + o.bytes.length, 0), recording.length);
  assert.equal(cutter.pending.length, 0);
});

test('fmp4: the video track times the segments, which follow each other', () => {
  const out = new FragmentCutter().push(recording);
  const { trackId, timescale } = timingTrack(out[0].bytes);
  assert.equal(timescale, 30000);
  const times = out.slice(1).map((s) => decodeTime(s.bytes, trackId));
  assert.equal(times[0], 0);
  assert.ok(/** @type {number} */ (times[1]) > 25000 && /** @type {number} */ (times[2]) > /** @type {number} */ (times[1]));
});

test('fmp4: a prft box carries capture time through, to the millisecond', () => {
  const box = prftBox(1, 1_795_000_123_456, 123_456_789);
  assert.deepEqual(boxes(box).map((b) => b.type), ['prft']);
  const segment = new Uint8Array([...box, ...new FragmentCutter().push(recording)[1].bytes]);
  assert.deepEqual(readPrft(segment), { wallMs: 1_795_000_123_456, mediaTime: 123_456_789 });
  assert.equal(readPrft(recording), null);
});
