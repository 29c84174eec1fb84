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
    /** @type {number[]} when each viewer was opened */
    const joinedAt = [];
    for (let i = 0; i < viewers; i++) {
      if (i > 0) await sleep(joinGapMs);
      joinedAt.push(Date.now());
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
    const endedAt = Date.now();
    const elapsedS = (endedAt - startedAt) / 1000;
    const viewerSeconds = joinedAt.reduce((n, t) => n + (endedAt - t) / 1000, 0);
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
    // Everything the origin sent during the run, by kind (the server's counters, not the pages').
    /** @type {Record<string, number>} */
    const byKind = {};
    for (const k of Object.keys(after.originBytesByKind)) byKind[k] = after.originBytesByKind[k] - (before.originBytesByKind[k] ?? 0);
    const kinds = (/** @type {string[]} */ ks) => ks.reduce((n, k) => n + (byKind[k] ?? 0), 0);
    // What the stream costs the origin: segments over HTTP and from the super-peer, and every
    // piece of metadata (MPD, hash and signature lists, signaling). The page, the SDK and the
    // player are static files a host would put on a CDN: reported apart, as `staticBytes`.
    const metadataBytes = kinds(['mpd', 'hashes', 'signatures', 'signaling']);
    const originBytes = kinds(['media', 'init', 'superPeer']) + metadataBytes;
    const mediaOnlyBytes = (after.httpMediaBytes - before.httpMediaBytes) + (after.superPeerBytes - before.superPeerBytes);
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
      // The figure earlier runs printed as originEgressPerBitrate: segment bytes only.
      originMediaEgressPerBitrate: round(mediaOnlyBytes / Math.max(1, (bitrate / 8) * elapsedS)),
      originBytesByKind: byKind,
      staticBytes: kinds(['sdk', 'player', 'page', 'api', 'operator']),
      metadataBytesPerViewerPerSecond: Math.round(metadataBytes / Math.max(1, viewerSeconds)),
      metadataShareOfBitratePerViewer: Number((metadataBytes * 8 / Math.max(1, viewerSeconds) / Math.max(1, bitrate)).toFixed(4)),
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
