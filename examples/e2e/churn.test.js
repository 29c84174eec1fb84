// @ts-check
// Issue 3's churn acceptance: 8 viewers; every minute 30 % of them crash (their renderer is killed:
// no goodbye on any channel) and are replaced by newcomers. No survivor may stall for more than 1 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchBrowser, startServer } from './harness.mjs';

const VIEWERS = 8;
const ROUNDS = 2;
const PERIOD_MS = Number(process.env.CHURN_PERIOD_MS ?? 60_000);
const KILL = Math.ceil(VIEWERS * 0.3); // 3 of 8

test('with 30 % of viewers crashing every minute, no survivor stalls for more than 1 s', { timeout: 420_000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    let viewers = [];
    for (let i = 0; i < VIEWERS; i++) {
      viewers.push({ name: `v${i + 1}`, ...(await browser.openViewer(`${server.base}/`)) });
      await sleep(1500);
    }
    const survivorsFromStart = new Set(viewers.map((v) => v.name));
    let next = VIEWERS + 1;
    for (let round = 1; round <= ROUNDS; round++) {
      await sleep(PERIOD_MS);
      // The oldest viewers hold the most and feed the others: crash those, the hardest case.
      const victims = viewers.slice(0, KILL);
      for (const v of victims) {
        const cdp = await v.context.newCDPSession(v.page);
        // Never answered: the renderer dies with the command. No await.
        cdp.send('Page.crash').catch(() => {});
        survivorsFromStart.delete(v.name);
      }
      viewers = viewers.slice(KILL);
      console.log(`round ${round}: crashed ${victims.map((v) => v.name).join(', ')}`);
      for (let k = 0; k < KILL; k++) {
        viewers.push({ name: `v${next++}`, ...(await browser.openViewer(`${server.base}/`)) });
      }
      for (const v of victims) await v.context.close().catch(() => {});
    }
    // The last 20 s: every page, survivor or newcomer, must keep moving (not just be alive).
    const settle = await Promise.all(viewers.map((v) => v.stats()));
    await sleep(20_000);
    let newcomerPeerBytes = 0;
    for (const [i, v] of viewers.entries()) {
      const s = await v.stats();
      const t = s.bytes.peer + s.bytes.superPeer + s.bytes.http;
      const played = s.currentTime - settle[i].currentTime;
      const survivor = survivorsFromStart.has(v.name);
      if (!survivor) newcomerPeerBytes += s.bytes.peer;
      console.log(`${v.name}${survivor ? ' (from the start)' : ''}: stalls ${s.stalls}, longest ${s.stallMsMax} ms, total ${s.stallMsTotal} ms; ` +
        `played ${played.toFixed(1)} s of the last 20 s, to ${s.currentTime.toFixed(1)} s; P2P ${(100 * s.bytes.peer / Math.max(1, t)).toFixed(0)} %; peers now ${s.peers}; ` +
        `faults ${JSON.stringify(s.neighbourFaults)}`);
      assert.deepEqual(s.errors, [], `${v.name} had player errors`);
      assert.ok(s.stallMsMax < 1000, `${v.name} stalled for ${s.stallMsMax} ms`);
      assert.ok(played > 15, `${v.name} kept playing (${played.toFixed(1)} s in 20 s)`);
    }
    assert.equal(viewers.length, VIEWERS);
    assert.ok(newcomerPeerBytes > 0, 'newcomers after the crashes were fed by other viewers, not only by the origin');
  } finally {
    await browser.close();
    await server.stop();
  }
});
