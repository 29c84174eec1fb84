// @ts-check
// Issue 3's bad-input acceptance: while two viewers play, a hostile page throws everything at the
// signaling server — malformed JSON, unknown types, a wrong version, binary frames, out-of-order
// and replayed messages, a 1 MiB frame, a flood. Each gets its documented error (or close code),
// and the viewers keep playing as if nothing happened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchBrowser, startServer } from './harness.mjs';

test('bad input gets its documented error and never disturbs other peers', { timeout: 180_000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const viewers = [await browser.openViewer(`${server.base}/`)];
    await sleep(3000);
    viewers.push(await browser.openViewer(`${server.base}/`));
    await sleep(5000);
    const before = await Promise.all(viewers.map((v) => v.stats()));

    const context = await browser.browser.newContext();
    const attacker = await context.newPage();
    await attacker.goto(`${server.base}/config.json`); // same origin as the demo: passes the origin check
    const port = server.port + 1;
    const results = await attacker.evaluate(async (port) => {
      const url = `ws://127.0.0.1:${port}/signal`;
      /** Opens a socket, sends frames, collects what comes back until quiet. */
      const session = (frames, waitMs = 600) => new Promise((resolve) => {
        const ws = new WebSocket(url);
        const got = [];
        let closeCode = null;
        let openedAt = 0;
        let lastAt = 0;
        ws.onmessage = (e) => { got.push(JSON.parse(e.data)); lastAt = performance.now(); };
        ws.onclose = (e) => { closeCode = e.code; };
        ws.onopen = () => { openedAt = performance.now(); for (const f of frames) ws.send(f); };
        // Everything the server answered, it handled between the open and the last reply.
        setTimeout(() => { ws.close(); resolve({ got, closeCode, handledWithinMs: lastAt - openedAt }); }, waitMs);
      });
      const hello = '{"v":1,"type":"hello","role":"viewer"}';
      const codes = (r) => r.got.filter((m) => m.type === 'error').map((m) => m.code);
      const out = {};
      out.beforeHello = codes(await session(['{"v":1,"type":"join","stream":"main"}']));
      out.malformed = codes(await session([hello, 'not json', '{"v":1', '[1,2]', '{"v":1,"type":"join"}']));
      out.unknownType = codes(await session([hello, '{"v":1,"type":"teleport"}']));
      out.wrongVersion = codes(await session([hello, '{"v":2,"type":"leave"}']));
      out.binary = codes(await session([hello, new Uint8Array([1, 2, 3])]));
      out.unknownPeer = codes(await session([hello, '{"v":1,"type":"signal","to":"AAAAAAAAAAAAAAAAAAAAAA","kind":"offer","sdp":"v=0"}']));
      out.spoofedFrom = codes(await session([hello, '{"v":1,"type":"signal","to":"AAAAAAAAAAAAAAAAAAAAAA","from":"BBBBBBBBBBBBBBBBBBBBBB","kind":"offer","sdp":"v=0"}']));
      out.serverOnlyType = codes(await session([hello, '{"v":1,"type":"peer-left","peerId":"AAAAAAAAAAAAAAAAAAAAAA","stream":"main"}']));
      out.unknownStream = codes(await session([hello, '{"v":1,"type":"join","stream":"nope"}']));
      const replay = await session([hello, hello]);
      out.replayedHelloSameId = replay.got.filter((m) => m.type === 'welcome').map((m) => m.peerId);
      const big = await session([hello, `{"v":1,"type":"hello","role":"viewer","token":"${'x'.repeat(1 << 20)}"}`], 1500);
      out.oversizeClose = big.closeCode;
      const peers = '{"v":1,"type":"peers","stream":"main"}';
      const flood = await session([hello, ...Array.from({ length: 200 }, () => peers)], 1500);
      out.flood = { rateLimited: codes(flood).includes('RATE_LIMITED'), answered: flood.got.filter((m) => m.type === 'peers').length, withinMs: flood.handledWithinMs };
      const deluge = await session([hello, ...Array.from({ length: 3000 }, () => peers)], 1500);
      out.deluge = { closeCode: deluge.closeCode, rateLimited: codes(deluge).includes('RATE_LIMITED'), answered: deluge.got.filter((m) => m.type === 'peers').length, withinMs: deluge.handledWithinMs };
      return out;
    }, port);
    console.log(JSON.stringify(results));
    await context.close();

    assert.deepEqual(results.beforeHello, ['NOT_REGISTERED']);
    assert.deepEqual(results.malformed, ['BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE']);
    assert.deepEqual(results.unknownType, ['UNKNOWN_TYPE']);
    assert.deepEqual(results.wrongVersion, ['UNSUPPORTED_VERSION']);
    assert.deepEqual(results.binary, ['BAD_FRAME']);
    assert.deepEqual(results.unknownPeer, ['UNKNOWN_PEER']);
    assert.deepEqual(results.spoofedFrom, ['BAD_MESSAGE']);
    assert.deepEqual(results.serverOnlyType, ['BAD_MESSAGE']);
    assert.deepEqual(results.unknownStream, ['UNKNOWN_STREAM']);
    assert.equal(results.replayedHelloSameId.length, 2);
    assert.equal(results.replayedHelloSameId[0], results.replayedHelloSameId[1], 'a replayed hello keeps its ID');
    // The server closes with 1009 (1008 for the deluge); a browser still uploading when the close
    // frame arrives may report the connection as 1006 instead. WebSocketSignalingServerIT checks
    // the exact code with a client that reads it reliably.
    assert.ok([1009, 1006].includes(results.oversizeClose), `oversize frame: close ${results.oversizeClose}`);
    assert.ok(results.flood.rateLimited, 'a flood is rate limited');
    // A bucket of 100 (hello took one) that refills at 50/s while the flood is handled: the bound
    // counts the refill over the time the server can have spent on it, so it cannot pass by luck.
    const allowance = 99 + Math.ceil(50 * results.flood.withinMs / 1000);
    assert.ok(results.flood.answered < 200, `a flood of 200 is not answered in full (${results.flood.answered})`);
    assert.ok(results.flood.answered <= allowance,
      `burst 100 plus 50/s over ${results.flood.withinMs.toFixed(0)} ms allows ${allowance}; ${results.flood.answered} answered`);
    // 3000 frames at once: whether they pile up past the server's queue (256 frames: cut with 1008)
    // depends on how fast this machine's browser sends and the server reads, so either outcome
    // passes as long as the rate limit held. CoordinatorTest pins the cut itself deterministically.
    const deluge = results.deluge;
    const delugeAllowance = 99 + Math.ceil(50 * Math.max(0, deluge.withinMs) / 1000);
    assert.ok([1008, 1006].includes(deluge.closeCode) || (deluge.rateLimited && deluge.answered <= delugeAllowance),
      `a deluge is cut or rate limited (close ${deluge.closeCode}, ${deluge.answered} answered, allowance ${delugeAllowance})`);

    await sleep(5000);
    const after = await Promise.all(viewers.map((v) => v.stats()));
    for (const [i, s] of after.entries()) {
      const played = s.currentTime - before[i].currentTime;
      console.log(`viewer ${i + 1}: played ${played.toFixed(1)} s during the attack; stalls ${s.stalls} (longest ${s.stallMsMax} ms)`);
      assert.ok(played > 5, `viewer ${i + 1} kept playing`);
      assert.ok(s.stallMsMax < 1000, `viewer ${i + 1} stalled for ${s.stallMsMax} ms`);
      assert.deepEqual(s.errors, []);
    }
    const late = await browser.openViewer(`${server.base}/`);
    await sleep(4000);
    assert.ok((await late.stats()).currentTime > 0, 'a newcomer still gets in and plays');
  } finally {
    await browser.close();
    await server.stop();
  }
});
