// @ts-check
// The churn scenario, shared by churn.test.js and `./p2pc bench churn`: N viewers; every period
// 30 % of them crash (their renderer is killed: no goodbye on any channel) and are replaced by
// newcomers; then every page is watched for 20 s.
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { launchBrowser, startServer } from './harness.mjs';

/** The machine's CPU counters (jiffies: busy, total) from /proc/stat. */
function cpuTimes() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - (f[4] ?? 0), total };
}

/**
 * @param {{viewers: number, rounds: number, periodMs: number, log?: (s: string) => void,
 *   afterCrash?: (crashedIds: string[], survivors: any[]) => Promise<void>}} o
 *   `afterCrash` runs after each round's crashes, before the newcomers open (the test checks
 *   there that every survivor dropped the crashed peers).
 */
export async function runChurn(o) {
  const log = o.log ?? (() => {});
  const kill = Math.ceil(o.viewers * 0.3);
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    let viewers = [];
    for (let i = 0; i < o.viewers; i++) {
      viewers.push({ name: `v${i + 1}`, ...(await browser.openViewer(`${server.base}/`)) });
      await sleep(1500);
    }
    const fromStart = new Set(viewers.map((v) => v.name));
    const cpu0 = cpuTimes();
    let next = o.viewers + 1;
    for (let round = 1; round <= o.rounds; round++) {
      await sleep(o.periodMs);
      // The oldest viewers hold the most and feed the others: crash those, the hardest case.
      const victims = viewers.slice(0, kill);
      const crashedIds = await Promise.all(victims.map(async (v) => (await v.stats()).peerId));
      for (const v of victims) {
        const cdp = await v.context.newCDPSession(v.page);
        cdp.send('Page.crash').catch(() => {}); // never answered: the renderer dies with the command
        fromStart.delete(v.name);
      }
      viewers = viewers.slice(kill);
      log(`round ${round}: crashed ${victims.map((v) => v.name).join(', ')}`);
      await o.afterCrash?.(crashedIds, viewers);
      for (let k = 0; k < kill; k++) viewers.push({ name: `v${next++}`, ...(await browser.openViewer(`${server.base}/`)) });
      for (const v of victims) await v.context.close().catch(() => {});
    }
    // The last 20 s: every page, survivor or newcomer, must keep moving.
    const settle = await Promise.all(viewers.map((v) => v.stats()));
    await sleep(20_000);
    const cpu1 = cpuTimes();
    const pages = [];
    for (const [i, v] of viewers.entries()) {
      const s = await v.stats();
      const survivor = fromStart.has(v.name);
      pages.push({
        name: v.name, survivor, stalls: s.stalls, stallMsMax: s.stallMsMax, stallMsTotal: s.stallMsTotal,
        playedLast20s: s.currentTime - settle[i].currentTime, bytes: s.bytes, peers: s.peers, faults: s.neighbourFaults,
        errors: s.errors, diagnosis: s.stallMsMax >= 1000 ? await v.diagnose() : '',
      });
    }
    const survivors = pages.filter((p) => p.survivor);
    const sum = (/** @type {any[]} */ ps, /** @type {'peer' | 'superPeer' | 'http'} */ k) => ps.reduce((n, p) => n + p.bytes[k], 0);
    const all = sum(pages, 'peer') + sum(pages, 'superPeer') + sum(pages, 'http');
    return {
      pages,
      summary: {
        viewers: o.viewers, rounds: o.rounds, periodS: o.periodMs / 1000, crashedPerRound: kill,
        survivorStallMsMax: Math.max(0, ...survivors.map((p) => p.stallMsMax)),
        survivorStalls: survivors.reduce((n, p) => n + p.stalls, 0),
        newcomerStallMsMax: Math.max(0, ...pages.filter((p) => !p.survivor).map((p) => p.stallMsMax)),
        pagesOverOneSecondStall: pages.filter((p) => p.stallMsMax >= 1000).length,
        newcomerPeerBytes: sum(pages.filter((p) => !p.survivor), 'peer'),
        p2pRatio: all ? Number((sum(pages, 'peer') / all).toFixed(3)) : 0,
        // Over the rounds and the last 20 s: how busy the machine was (1 = saturated).
        cpuBusy: Number(((cpu1.busy - cpu0.busy) / Math.max(1, cpu1.total - cpu0.total)).toFixed(3)),
      },
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}
