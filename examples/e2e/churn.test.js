// @ts-check
// Issue 3's churn scenario: 8 viewers; every minute 30 % of them crash (their renderer is killed:
// no goodbye on any channel) and are replaced by newcomers. What must hold whatever the machine's
// load: every survivor drops the crashed peers (the Coordinator's `peer-left`), every page keeps
// playing without player errors, and newcomers are fed by other viewers. How long survivors stall
// is a performance figure, measured by `./p2pc bench churn` (docs/benchmarks.md): on a 2-core
// machine 8 Chromium pages saturate the CPU and stalls there say more about the machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChurn } from './churn.mjs';

const VIEWERS = 8;

test('with 30 % of viewers crashing every minute, survivors drop them and every page keeps playing', { timeout: 420_000 }, async () => {
  let rounds = 0;
  const r = await runChurn({
    viewers: VIEWERS, rounds: 2, periodMs: Number(process.env.CHURN_PERIOD_MS ?? 60_000), log: (s) => console.log(s),
    afterCrash: async (crashed, survivors) => {
      rounds++;
      // Condition, not a sleep: each survivor's neighbours lose the crashed pages (peer-left
      // comes once the Coordinator saw their sockets close, at most 3 s of silence later).
      const deadline = Date.now() + 15_000;
      for (const v of survivors) {
        for (;;) {
          const linked = await v.page.evaluate((ids) => ids.filter((id) => window['p2pDemo'].player.loader.neighbours.has(id)), crashed);
          if (linked.length === 0) break;
          assert.ok(Date.now() < deadline, `${v.name} still links to crashed pages ${linked.join(', ')} 15 s after the crash`);
          await new Promise((res) => setTimeout(res, 200));
        }
      }
    },
  });
  assert.equal(rounds, 2);
  for (const p of r.pages) {
    console.log(`${p.name}${p.survivor ? ' (from the start)' : ''}: stalls ${p.stalls}, longest ${p.stallMsMax} ms, total ${p.stallMsTotal} ms; ` +
      `played ${p.playedLast20s.toFixed(1)} s of the last 20 s; peers now ${p.peers}; faults ${JSON.stringify(p.faults)}`);
    if (p.diagnosis) console.log(p.diagnosis);
    assert.deepEqual(p.errors, [], `${p.name} had player errors`);
    // A page that froze (a player waiting for a segment nobody delivers) plays far less than this.
    assert.ok(p.playedLast20s > 10, `${p.name} kept playing (${p.playedLast20s.toFixed(1)} s in 20 s)`);
  }
  assert.equal(r.pages.length, VIEWERS);
  assert.ok(r.summary.newcomerPeerBytes > 0, 'newcomers after the crashes were fed by other viewers, not only by the origin');
  console.log('figures:', JSON.stringify(r.summary));
});
