// @ts-check
// Issue 3's first acceptance: hostile peers in a real swarm. Two pages run the real SDK but serve
// bad data — one flips bytes in every segment it sends, the other answers with the genuine bytes
// of a different segment (a replay). Honest pages must never play or re-share a bad byte, must cut
// a hostile neighbour at its first bad segment, and must not stall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchBrowser, startServer } from './harness.mjs';

/** Turns the page's Content Loader hostile: every segment it serves is wrong. */
async function makeHostile(page, mode) {
  await page.evaluate(async (mode) => {
    const { split } = await import('/p2p-collab/wire.js');
    const { fileName } = await import('/p2p-collab/content-loader.js');
    const { statementMessage } = await import('/p2p-collab/stream-state.js');
    const loader = window['p2pDemo'].player.loader;
    loader.serve = (n, m, id) => {
      const keys = [...loader.cache.keys()];
      const own = loader.cache.get(fileName(m.track, m.number));
      // Not held (it slid out of the window): answered as honestly as any page, so that bad
      // bytes are the only fault these pages commit.
      if (!own) return void n.link.send({ type: 'ERROR', requestId: m.requestId, code: 1, message: 'not held' });
      let bad;
      let statement = own.statement;
      if (mode === 'flip') {
        // the genuine statement, then flipped bytes
        bad = own.data.slice();
        for (let i = 0; i < bad.length; i += 997) bad[i] ^= 0x5a;
      } else {
        // another genuine, signed segment of the stream with its own genuine statement: right
        // format, valid signature, wrong segment
        const other = keys.filter((k) => k !== fileName(m.track, m.number) && k.startsWith('chunk-') && loader.cache.get(k).statement).pop();
        bad = other ? loader.cache.get(other).data : own.data.slice().reverse();
        if (other) statement = loader.cache.get(other).statement;
      }
      if (statement) n.link.send({ ...statementMessage(m.requestId, statement) });
      for (const chunk of split(m.requestId, bad)) n.link.send(chunk);
      window['hostileServed'] = (window['hostileServed'] ?? 0) + 1;
      (window['hostileServedTo'] ??= []).push(id);
    };
  }, mode);
}

test('hostile peers are cut at their first bad segment; honest viewers play only verified bytes', { timeout: 240_000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const flipper = await browser.openViewer(`${server.base}/`);
    await sleep(3000);
    const replayer = await browser.openViewer(`${server.base}/`);
    await sleep(3000);
    await makeHostile(flipper.page, 'flip');
    await makeHostile(replayer.page, 'replay');
    const hostileIds = await Promise.all([flipper, replayer].map((v) => v.page.evaluate(() => window['p2pDemo'].stats().peerId)));

    const honest = [];
    for (let i = 0; i < 4; i++) {
      const v = await browser.openViewer(`${server.base}/`);
      await v.page.evaluate(() => {
        window['badSegments'] = [];
        window['p2pDemo'].player.loader.addEventListener('bad-segment', (e) => window['badSegments'].push(e.detail));
      });
      honest.push(v);
      await sleep(3000);
    }
    await sleep(25_000);

    const served = await Promise.all([flipper, replayer].map((v) => v.page.evaluate(() => window['hostileServed'] ?? 0)));
    const servedTo = await Promise.all([flipper, replayer].map((v) => v.page.evaluate(() => window['hostileServedTo'] ?? [])));
    console.log(`hostile pages served ${served[0]} flipped and ${served[1]} replayed segments, to ${JSON.stringify(servedTo)}`);
    const detected = new Map(hostileIds.map((id) => [id, 0]));
    for (const [i, v] of honest.entries()) {
      const r = await v.page.evaluate(async () => {
        const loader = window['p2pDemo'].player.loader;
        // Everything this page holds — what it played and offers to others — checked against
        // the Media Server's signatures.json, independently of the SDK's own check.
        const { createVerifier } = await import('/p2p-collab/integrity.js');
        const info = loader.main.info;
        const verifier = await createVerifier(crypto.subtle, info.publicKey);
        const { trusted } = await verifier.verifyAll(info.id, await (await fetch(info.signaturesUrl, { cache: 'no-store' })).text());
        let checked = 0;
        let bad = 0;
        for (const [name, { data }] of loader.cache) {
          const entry = trusted.get(name)?.entry;
          if (!entry) continue;
          const hex = [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))].map((b) => b.toString(16).padStart(2, '0')).join('');
          checked++;
          if (hex !== entry.sha256 || data.length !== entry.length) bad++;
        }
        return { checked, bad, badSegments: window['badSegments'], stats: window['p2pDemo'].stats() };
      });
      const perHostile = hostileIds.map((id) => r.badSegments.filter((b) => b.peer === id).length);
      perHostile.forEach((n, k) => detected.set(hostileIds[k], detected.get(hostileIds[k]) + n));
      console.log(`honest viewer ${i + 1}: ${r.checked} held segments re-verified, ${r.bad} bad; bad segments received from ` +
        `flipper ${perHostile[0]}, replayer ${perHostile[1]}; stalls ${r.stats.stalls} (longest ${r.stats.stallMsMax} ms); ` +
        `bytes from peers ${r.stats.bytes.peer}, super-peer ${r.stats.bytes.superPeer}, HTTP ${r.stats.bytes.http}; faults ${JSON.stringify(r.stats.neighbourFaults)}`);
      assert.ok(r.checked > 10, `viewer ${i + 1} holds verified segments`);
      assert.equal(r.bad, 0, `viewer ${i + 1} holds a bad byte`);
      for (const n of perHostile) assert.ok(n <= 1, `viewer ${i + 1} took more than one bad segment from one hostile peer`);
      assert.ok(r.stats.stallMsMax < 1000, `viewer ${i + 1} stalled for ${r.stats.stallMsMax} ms`);
      assert.deepEqual(r.stats.errors, [], `viewer ${i + 1} had player errors`);
      assert.ok(r.stats.currentTime > 20, `viewer ${i + 1} plays`);
    }
    console.log(`bad segments detected: flipper ${detected.get(hostileIds[0])}, replayer ${detected.get(hostileIds[1])}`);
    for (const [id, n] of detected) assert.ok(n >= 1, `hostile peer ${id} was never exercised: the test proved nothing about it`);
  } finally {
    await browser.close();
    await server.stop();
  }
});
