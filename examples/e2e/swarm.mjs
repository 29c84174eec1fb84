// @ts-check
// The swarm scenario: the reference server plus N Chromium viewers joining a few seconds apart.
// Used by swarm.test.js (assertions) and bench-swarm.mjs (figures).
import { setTimeout as sleep } from 'node:timers/promises';
import { launchBrowser, percentile, startServer } from './harness.mjs';

/**
 * @param {{viewers: number, seconds: number, joinGapMs?: number, log?: (s: string) => void}} opts
 *   seconds: how long every viewer watches after the last one joined.
 */
export async function runSwarm({ viewers, seconds, joinGapMs = 3000, log = () => {} }) {
  const server = await startServer({ log: (l) => { if (/WARN|ERROR|Exception/.test(l)) log(`server: ${l}`); } });
  const browser = await launchBrowser();
  try {
    const before = await server.originStats();
    const startedAt = Date.now();
    /** @type {Awaited<ReturnType<typeof browser.openViewer>>[]} */
    const pages = [];
    for (let i = 0; i < viewers; i++) {
      if (i > 0) await sleep(joinGapMs);
      pages.push(await browser.openViewer(`${server.base}/`));
      log(`viewer ${i + 1} joined`);
    }
    /** @type {any[][]} */
    const samples = pages.map(() => []);
    const watchUntil = Date.now() + seconds * 1000;
    while (Date.now() < watchUntil) {
      await sleep(1000);
      for (let i = 0; i < pages.length; i++) samples[i].push(await pages[i].stats());
    }
    const after = await server.originStats();
    const elapsedS = (Date.now() - startedAt) / 1000;
    const results = pages.map((p, i) => {
      const s = samples[i].filter(Boolean);
      const last = s[s.length - 1] ?? {};
      const first = s[0] ?? {};
      return {
        viewer: i + 1,
        playedSeconds: (last.currentTime ?? 0) - (first.currentTime ?? 0),
        watchedSeconds: s.length,
        startupMs: last.startupMs ?? null,
        stalls: last.stalls ?? 0,
        stallMsMax: last.stallMsMax ?? 0,
        liveEdgeDelayMs: s.map((x) => x.liveEdgeDelayMs).filter((x) => typeof x === 'number'),
        bytes: last.bytes ?? { peer: 0, superPeer: 0, http: 0 },
        peers: last.peers ?? 0,
        playerErrors: [...(last.errors ?? []), ...p.errors],
      };
    });
    const sum = (/** @type {(r: any) => number} */ f) => results.reduce((a, r) => a + f(r), 0);
    const bytesFromPeers = sum((r) => r.bytes.peer);
    const bytesFromSuperPeer = sum((r) => r.bytes.superPeer);
    const bytesFromHttp = sum((r) => r.bytes.http);
    const bitrate = after.streamBitrateBps;
    const originBytes = (after.httpMediaBytes - before.httpMediaBytes) + (after.superPeerBytes - before.superPeerBytes);
    const delays = results.flatMap((r) => r.liveEdgeDelayMs);
    const startups = results.map((r) => r.startupMs).filter((x) => typeof x === 'number');
    const summary = {
      viewers,
      seconds,
      streamBitrateBps: Math.round(bitrate),
      bytesFromPeers,
      bytesFromSuperPeer,
      bytesFromHttp,
      p2pRatio: round(bytesFromPeers / Math.max(1, bytesFromPeers + bytesFromSuperPeer + bytesFromHttp)),
      originEgressPerBitrate: round(originBytes / Math.max(1, (bitrate / 8) * elapsedS)),
      startupMsP50: percentile(startups, 50),
      startupMsP95: percentile(startups, 95),
      liveEdgeDelayMsP50: percentile(delays, 50),
      liveEdgeDelayMsP95: percentile(delays, 95),
      stalls: sum((r) => r.stalls),
      stallMsMax: Math.max(0, ...results.map((r) => r.stallMsMax)),
    };
    return { results, summary, serverLines: server.lines };
  } finally {
    await browser.close();
    await server.stop();
  }
}

function round(x) { return Math.round(x * 1000) / 1000; }
