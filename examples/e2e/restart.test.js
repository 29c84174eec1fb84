// @ts-check
// Issue 3's restart acceptance: the Coordinator (signaling) is restarted during playback, losing
// all its state. Every page must register again and be back in the swarm within 5 s, with no stall
// longer than 1 s: data channels and HTTP keep the video going meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchBrowser, startServer } from './harness.mjs';

test('after a Coordinator restart every page registers again within 5 s and nobody stalls', { timeout: 180_000 }, async () => {
  const server = await startServer({ extraArgs: ['--test-hooks'] });
  const browser = await launchBrowser();
  try {
    const pages = [];
    for (let i = 0; i < 4; i++) {
      const v = await browser.openViewer(`${server.base}/`);
      await v.page.evaluate(() => {
        window['rejoined'] = [];
        window['p2pDemo'].player.loader.addEventListener('rejoined', () => window['rejoined'].push(Date.now()));
      });
      pages.push(v);
      await sleep(2500);
    }
    await sleep(6000);
    const before = await Promise.all(pages.map((v) => v.stats()));
    const restartedAt = Date.now();
    const r = await fetch(`${server.base}/test/restart-signaling`, { method: 'POST' });
    assert.equal(r.status, 200);
    await sleep(5000);
    const origin = await server.originStats();
    const within5s = await Promise.all(pages.map((v) => v.page.evaluate(() => ({ rejoined: window['rejoined'], stats: window['p2pDemo'].stats() }))));
    await sleep(10_000);
    const after = await Promise.all(pages.map((v) => v.stats()));

    console.log(`registered with the new Coordinator 5 s after the restart: ${origin.registeredPeers} (4 pages + the super-peer)`);
    assert.equal(origin.registeredPeers, 5);
    for (const [i, p] of within5s.entries()) {
      const rejoinMs = p.rejoined.length ? p.rejoined[0] - restartedAt : null;
      // Other viewers only: the super-peer's bytes also travel on data channels but are the origin's.
      const peerBytes = after[i].bytes.peer - before[i].bytes.peer;
      const superPeerBytes = after[i].bytes.superPeer - before[i].bytes.superPeer;
      console.log(`viewer ${i + 1}: ${before[i].peerId} → ${p.stats.peerId}, joined again after ${rejoinMs} ms; ` +
        `${peerBytes} bytes from other viewers and ${superPeerBytes} from the super-peer in the 15 s after; stalls ${after[i].stalls} (longest ${after[i].stallMsMax} ms)`);
      assert.notEqual(p.stats.peerId, null, `viewer ${i + 1} is registered again`);
      assert.notEqual(p.stats.peerId, before[i].peerId, 'a new registration has a new ephemeral ID');
      assert.ok(rejoinMs !== null && rejoinMs < 5000, `viewer ${i + 1} joined again after ${rejoinMs} ms`);
      const httpBytes = after[i].bytes.http - before[i].bytes.http;
      // The first page may well be fed by the super-peer alone; what matters is that data channels
      // (which the Coordinator does not carry) kept feeding every page.
      assert.ok(peerBytes + superPeerBytes > httpBytes, `viewer ${i + 1} kept fetching over data channels`);
      assert.ok(after[i].stallMsMax < 1000, `viewer ${i + 1} stalled for ${after[i].stallMsMax} ms`);
      assert.deepEqual(after[i].errors, [], `viewer ${i + 1} had player errors`);
    }
    const fromViewers = after.reduce((n, a, i) => n + a.bytes.peer - before[i].bytes.peer, 0);
    assert.ok(fromViewers > 0, 'viewers kept feeding each other');
  } finally {
    await browser.close();
    await server.stop();
  }
});
