// @ts-check
// Acceptance for the live P2P backbone: 4 real Chromium pages watch the reference server's live
// stream (real ffmpeg, real super-peer on webrtc-java) while handing segments to each other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSwarm } from './swarm.mjs';

test('four pages joining a few seconds apart all play, and the later ones are fed mostly by other pages', { timeout: 180_000 }, async () => {
  const { results, summary } = await runSwarm({ viewers: 4, seconds: 30, joinGapMs: 3000, log: console.log });
  for (const r of results) {
    console.log(`viewer ${r.viewer}: played ${r.playedSeconds.toFixed(1)} s, stalls ${r.stalls}, bytes from peers ${r.bytes.peer}, ` +
      `from super-peer ${r.bytes.superPeer}, from HTTP ${r.bytes.http}, peers ${r.peers}`);
  }
  console.log(JSON.stringify(summary));
  for (const r of results) {
    assert.deepEqual(r.playerErrors, [], `viewer ${r.viewer} had player errors`);
    // Current time advanced over the 30 s watch (a little slack for the first samples).
    assert.ok(r.playedSeconds >= 25, `viewer ${r.viewer} played only ${r.playedSeconds} s of 30`);
  }
  // Which of two early pages the super-peer feeds depends on who asks first, so the later pages are
  // judged together: each got segments, and together they got most of them from other pages.
  const later = results.slice(1);
  for (const r of later) {
    assert.ok(r.bytes.peer + r.bytes.superPeer + r.bytes.http > 0, `viewer ${r.viewer} got no segment bytes`);
  }
  const fromPeers = later.reduce((n, r) => n + r.bytes.peer, 0);
  const total = later.reduce((n, r) => n + r.bytes.peer + r.bytes.superPeer + r.bytes.http, 0);
  assert.ok(fromPeers >= total / 2, `viewers 2-${results.length} got ${fromPeers} of ${total} bytes from other pages: less than half`);
});
