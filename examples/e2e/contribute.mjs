// @ts-check
// The contribution scenario (issue 4): viewers B, C, D… watch; page A holds a contributor token and
// goes live with Chromium's fake camera; page E has no grant, is refused, and goes live once the
// operator approves it; then A's grant is revoked. Used by contribute.test.js (assertions) and
// bench-contribute.mjs (figures).
import { setTimeout as sleep } from 'node:timers/promises';
import { launchBrowser, percentile, startServer } from './harness.mjs';

const OPERATOR_KEY = 'e2e-operator-key';

/**
 * @param {{viewers: number, seconds: number, log?: (s: string) => void}} opts
 *   viewers: pages that only watch (B, C, D…); seconds: how long A is live before E asks.
 */
export async function runContribution({ viewers, seconds, log = () => {} }) {
  const server = await startServer({
    extraArgs: ['--operator-key', OPERATOR_KEY],
    log: (l) => { if (/WARN|ERROR|Exception|contribut/.test(l)) log(`server: ${l}`); },
  });
  const browser = await launchBrowser();
  const operator = (/** @type {string} */ path, method = 'GET') =>
    fetch(`${server.base}/operator/${path}`, { method, headers: { Authorization: `Bearer ${OPERATOR_KEY}` } }).then(async (r) => {
      if (!r.ok) throw new Error(`operator ${path}: HTTP ${r.status} ${await r.text()}`);
      return r.json();
    });
  try {
    const watchers = [];
    for (let i = 0; i < viewers; i++) watchers.push(await browser.openViewer(`${server.base}/`));
    const a = await browser.openViewer(`${server.base}/`);
    const e = await browser.openViewer(`${server.base}/?contribute=cam-e`);
    // The operator works from the reference server's operator page, in a browser of their own.
    const op = await browser.browser.newPage();
    await op.goto(`${server.base}/operator.html#key=${OPERATOR_KEY}`);
    log(`${viewers} viewers, A and E open`);

    // A: a token from the host application (here the operator API), then Go live.
    const { token } = await operator('token?stream=cam-a&subject=alice', 'POST');
    const liveAt = Date.now();
    await a.page.evaluate((t) => window['p2pDemo'].goLive({ stream: 'cam-a', token: t }), token);
    const shownA = await waitForOverlay(watchers, 'cam-a', 20_000);
    log(`A's overlay shown on every viewer after ${Math.max(...shownA) - liveAt} ms`);

    await sleep(seconds * 1000);

    // E: no grant. Its user presses "Go live", is refused; the operator approves on the operator page.
    await e.page.click('#golive');
    const refusal = await e.page.waitForFunction(() => {
      const t = document.getElementById('golive-status')?.textContent ?? '';
      return t.startsWith('refused') ? t : null;
    }, null, { timeout: 10_000 }).then((h) => h.jsonValue());
    const storedBeforeApproval = (await operator('stats.json')).contributions['cam-e']?.segmentsStored ?? 0;
    log(`E sees: ${refusal}`);
    const request = op.locator('#pending tr', { hasText: 'cam-e' });
    await request.waitFor({ timeout: 10_000 }); // the page polls every second
    await request.getByRole('button', { name: 'Approve' }).click();
    const approvedAt = Date.now();
    const shownE = await waitForOverlay(watchers, 'cam-e', 20_000);
    log(`E's overlay shown on every viewer ${Math.max(...shownE) - approvedAt} ms after approval`);
    await sleep(5000);

    const table = await operator('streams.json');
    // Measured while both contributions are live.
    const before = await Promise.all(watchers.map((p) => p.stats()));
    const overlayLists = () => Promise.all(watchers.map((p) => p.page.evaluate(() => window['p2pDemo'].overlays())));
    const first = await overlayLists();
    const overlaysA = first.map((list) => list.find((/** @type {any} */ o) => o.stream === 'cam-a'));
    // Both overlays must be on every watcher and still moving, not merely shown once: each must
    // advance within 10 s (a brief stall on a loaded machine is a figure, a frozen overlay a failure).
    const at = (/** @type {any[][]} */ lists, /** @type {number} */ i, /** @type {string} */ stream) =>
      lists[i].find((/** @type {any} */ o) => o.stream === stream)?.currentTime;
    const advanced = { 'cam-a': watchers.map(() => false), 'cam-e': watchers.map(() => false) };
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      await sleep(250);
      const now = await overlayLists();
      for (const stream of /** @type {const} */ (['cam-a', 'cam-e'])) {
        watchers.forEach((_, i) => {
          const t0 = at(first, i, stream), t1 = at(now, i, stream);
          if (t0 !== undefined && t1 !== undefined && t1 > t0) advanced[stream][i] = true;
        });
      }
      if ([...advanced['cam-a'], ...advanced['cam-e']].every(Boolean)) break;
    }
    const playingA = advanced['cam-a'];
    const playingE = advanced['cam-e'];
    const g2g = overlaysA.flatMap((o) => o?.glassToGlass ?? []);
    const aStats = await a.page.evaluate(() => window['p2pDemo'].contribution().stats());
    // Both contributions are on the operator page, with the stream table.
    await op.locator('#live tr', { hasText: 'cam-e' }).waitFor({ timeout: 5000 });
    await op.locator('#live tr', { hasText: 'cam-a' }).waitFor({ timeout: 5000 });

    // Revoke A from the operator page: its overlay must leave every page within 2 s.
    const revokedAt = Date.now();
    await op.locator('#live tr', { hasText: 'cam-a' }).getByRole('button', { name: 'Revoke' }).click();
    const goneAfterMs = await waitForOverlayGone([...watchers, e], 'cam-a', 10_000, revokedAt);
    log(`A's overlay gone from every page ${goneAfterMs} ms after the revocation`);
    const aStatus = await a.page.evaluate(() => window['p2pDemo'].contribution().status);
    await sleep(500);
    const origin = await operator('stats.json');
    const aAcked = (await a.page.evaluate(() => window['p2pDemo'].contribution().stats())).acked;

    const perViewer = before.map((s, i) => ({
      // The names for the first three; E is the page without a grant.
      viewer: i < 3 ? 'BCD'[i] : `V${i + 1}`,
      camA: s.streams?.['cam-a'] ?? null,
      camE: s.streams?.['cam-e'] ?? null,
      overlayA: overlaysA[i]
        ? { currentTime: overlaysA[i].currentTime, stalls: overlaysA[i].stalls, stallMs: overlaysA[i].stallMs, stallMsMax: overlaysA[i].stallMsMax }
        : null,
      errors: s.errors,
    }));
    const bytesA = perViewer.map((v) => v.camA?.bytes ?? { peer: 0, superPeer: 0, http: 0 });
    const sum = (/** @type {'peer' | 'superPeer' | 'http'} */ k) => bytesA.reduce((n, b) => n + b[k], 0);
    const totalA = sum('peer') + sum('superPeer') + sum('http');
    return {
      perViewer,
      aStatusAfterRevoke: aStatus,
      refusal,
      storedBeforeApproval,
      table,
      summary: {
        viewers,
        contributors: 2,
        // Every watcher shows both overlays, and each advanced over 2 s while both were live.
        overlaysPlayingOnAllViewers: playingA.every(Boolean) && playingE.every(Boolean),
        overlaysPlaying: { 'cam-a': playingA.filter(Boolean).length, 'cam-e': playingE.filter(Boolean).length, of: viewers },
        overlayShownMsMax: Math.max(...shownA) - liveAt,
        overlayShownAfterApprovalMsMax: Math.max(...shownE) - approvedAt,
        glassToGlassMsP50: round(percentile(g2g, 50)),
        glassToGlassMsP95: round(percentile(g2g, 95)),
        glassToGlassSamples: g2g.length,
        p2pRatioContributed: totalA ? Number((sum('peer') / totalA).toFixed(3)) : 0,
        unauthorizedRefused: refusal.includes('UNAUTHORIZED') && storedBeforeApproval === 0,
        revokedOverlayGoneMs: goneAfterMs,
        overlayStalls: perViewer.reduce((n, v) => n + (v.overlayA?.stalls ?? 0), 0),
        overlayStallMsMax: Math.max(0, ...perViewer.map((v) => v.overlayA?.stallMsMax ?? 0)),
        segmentsAcked: aAcked,
        segmentsStored: origin.contributions['cam-a']?.segmentsStored ?? -1,
        segmentsAckedBeforeRevoke: aStats.acked,
      },
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}

/** @param {number | null} x */
function round(x) { return x === null ? null : Math.round(x); }

/**
 * Waits until every page shows `stream`'s overlay playing; returns when each first showed a frame.
 * @param {any[]} pages @param {string} stream @param {number} timeoutMs
 */
async function waitForOverlay(pages, stream, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const shown = await Promise.all(pages.map((p) => p.page.evaluate(async (s) => {
      const o = (await window['p2pDemo'].overlays()).find((/** @type {any} */ x) => x.stream === s);
      return o && o.shownAt && o.currentTime > 0 ? o.shownAt : 0;
    }, stream)));
    if (shown.every((t) => t > 0)) return shown;
    if (Date.now() > deadline) throw new Error(`overlay ${stream} not playing on every page after ${timeoutMs} ms: ${shown}`);
    await sleep(100);
  }
}

/**
 * Waits until no page shows `stream`'s overlay; returns how long after `since` the last one went.
 * @param {any[]} pages @param {string} stream @param {number} timeoutMs @param {number} since
 */
async function waitForOverlayGone(pages, stream, timeoutMs, since) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const present = await Promise.all(pages.map((p) => p.page.evaluate((s) => document.querySelector(`.tile[data-stream="${s}"]`) !== null, stream)));
    if (!present.some(Boolean)) return Date.now() - since;
    if (Date.now() > deadline) throw new Error(`overlay ${stream} still shown after ${timeoutMs} ms`);
    await sleep(50);
  }
}
