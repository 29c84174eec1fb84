// What a stream's window says about itself (docs/protocol.md §1.2 `state`, §2.2 HAVE).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileName, StreamState } from './stream-state.js';
import { encode, INIT, MAX_MESSAGE_BYTES } from './wire.js';

const stream = (held) => {
  const st = new StreamState({ id: 'main', manifestUrl: '/live/main/manifest.mpd', hashesUrl: '/live/main/hashes.json' },
    'http://127.0.0.1/', /** @type {any} */ ({ windowSegments: 1e9 }));
  for (const [track, number] of held) st.cache.set(fileName(track, number), { data: new Uint8Array(1), source: 'http' });
  return st;
};

test('state counts each media segment number once over all tracks, init segments not at all', () => {
  const st = stream([['0', INIT], ['1', INIT], ['0', 7], ['1', 7], ['0', 8], ['1', 8], ['0', 9]]);
  assert.deepEqual(st.holding(), { stream: 'main', segments: 3, newest: 9 });
  assert.deepEqual(stream([['0', INIT]]).holding(), { stream: 'main', segments: 0, newest: -1 });
});

test('HAVE fits one message: init segments first, then the newest media segments', () => {
  const held = [['0', INIT], ['1', INIT]];
  for (let n = 1; n <= 5000; n++) held.push(['0', n], ['1', n]);
  const have = stream(held).haveMessage();
  const bytes = encode(have);
  assert.ok(bytes.length <= MAX_MESSAGE_BYTES, `${bytes.length} bytes`);
  // 4 + 2 + 2 bytes of header and stream name; 6 bytes per entry: 2 737 entries fit
  assert.equal(have.held.length, Math.floor((MAX_MESSAGE_BYTES - 8) / 6));
  assert.deepEqual(have.held.slice(0, 4), [{ track: '0', number: INIT }, { track: '1', number: INIT }, { track: '0', number: 5000 }, { track: '1', number: 5000 }]);
  assert.ok(have.held.every((h) => h.number === INIT || h.number > 5000 - 1400));
});
