// @ts-check
// Privacy option of issue 3: with `relayOnly`, pages connect to each other only through the TURN
// server the Coordinator hands out (a real coturn on loopback), so no peer ever sees another's
// address — and the stream still flows peer to peer, through the relay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchBrowser, startServer } from './harness.mjs';

const TURN_PORT = 34780 + Math.floor(Math.random() * 100);

function startTurn() {
  const turn = spawn('turnserver', [
    '-n', '--no-cli', '--no-tls', '--no-dtls', '--listening-ip', '127.0.0.1', '--relay-ip', '127.0.0.1',
    '--listening-port', String(TURN_PORT), '--min-port', '40000', '--max-port', '40999',
    // Everything here is on loopback, which coturn refuses to relay to unless told.
    '--allow-loopback-peers', '--lt-cred-mech', '--user', 'p2p:relay-secret', '--realm', 'p2p-collab',
    '--fingerprint', '--log-file', 'stdout', '--simple-log',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  turn.stdout.on('data', (b) => { log += b; });
  turn.stderr.on('data', (b) => { log += b; });
  return { turn, log: () => log };
}

test('relay-only pages share the stream through TURN and never expose a host address', { timeout: 180_000 }, async () => {
  const { turn, log } = startTurn();
  const server = await startServer({ extraArgs: ['--ice', `turn:127.0.0.1:${TURN_PORT}?transport=udp,p2p,relay-secret`] });
  const browser = await launchBrowser();
  try {
    const pages = [];
    for (let i = 0; i < 3; i++) {
      pages.push(await browser.openViewer(`${server.base}/?relayOnly`));
      await sleep(3000);
    }
    await sleep(15_000);
    const seen = [];
    for (const [i, v] of pages.entries()) {
      const r = await v.page.evaluate(async () => {
        const loader = window['p2pDemo'].player.loader;
        const links = [];
        for (const [, n] of loader.neighbours) {
          const pc = n.link.pc;
          const stats = await pc.getStats();
          /** @type {Map<string, any>} */ const byId = new Map();
          stats.forEach((s) => byId.set(s.id, s));
          const pair = [...byId.values()].find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
          links.push({
            open: n.link.isOpen,
            superPeer: n.superPeer,
            local: pair ? byId.get(pair.localCandidateId)?.candidateType : null,
            sdpHasHost: /typ host/.test(pc.localDescription?.sdp ?? ''),
            policy: pc.getConfiguration().iceTransportPolicy,
          });
        }
        return { links, stats: window['p2pDemo'].stats() };
      });
      console.log(`viewer ${i + 1}: ${JSON.stringify(r.links)}; bytes ${JSON.stringify(r.stats.bytes)}; stalls ${r.stats.stalls}`);
      seen.push(r);
      assert.deepEqual(r.stats.errors, []);
      assert.ok(r.stats.currentTime > 10, `viewer ${i + 1} plays`);
      for (const l of r.links) {
        assert.equal(l.policy, 'relay');
        assert.equal(l.sdpHasHost, false, 'the page never offers its own address');
        if (l.open) assert.equal(l.local, 'relay', 'every open link goes through the TURN relay');
      }
    }
    assert.ok(seen.flatMap((r) => r.links).some((l) => l.open), 'links opened through the relay');
    assert.ok(seen.slice(1).some((r) => r.stats.bytes.peer > 0), 'later pages got segments from other pages, relayed');
  } catch (e) {
    console.log(`turnserver log:\n${log().slice(-3000)}`);
    throw e;
  } finally {
    await browser.close();
    await server.stop();
    turn.kill('SIGTERM');
  }
});
