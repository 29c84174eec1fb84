// @ts-check
// Shared by the browser end-to-end tests and the swarm benchmark: starts the reference server
// (real ffmpeg, real super-peer on webrtc-java) and opens viewers in Debian's headless Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
  // WebRTC between pages of this machine over 127.0.0.1 (see FACTS.md).
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream=fps=30',
  // Many viewers in one browser: keep background pages running at full speed.
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/**
 * Starts the reference server on a free-ish port and waits until it serves its config.
 * @param {{port?: number, extraArgs?: string[], log?: (line: string) => void}} [opts]
 */
export async function startServer(opts = {}) {
  const port = opts.port ?? 18000 + Math.floor(Math.random() * 2000) * 2;
  const cpFile = join(ROOT, 'examples', 'target', 'classpath.txt');
  const classpath = `${join(ROOT, 'examples', 'target', 'classes')}:${readFileSync(cpFile, 'utf8').trim()}`;
  const child = spawn('java', ['-cp', classpath, 'io.p2pcollab.examples.ReferenceServer',
    '--host', '127.0.0.1', '--port', String(port), ...(opts.extraArgs ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const onData = (/** @type {Buffer} */ b) => {
    for (const l of b.toString().split('\n')) if (l) { lines.push(l); opts.log?.(l); }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`reference server exited ${child.exitCode}:\n${lines.join('\n')}`);
    try {
      // Ready once the live window holds a few seconds, as it does for every viewer but the very
      // first seconds of a stream.
      const r = await fetch(`${base}/stats.json`);
      if (r.ok && (await r.json()).newestSegment >= 8) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`reference server not ready:\n${lines.join('\n')}`); }
    await sleep(250);
  }
  return {
    base, port, lines,
    /** Bytes the origin served over HTTP, as the server counted them. */
    async originStats() { return (await fetch(`${base}/stats.json`)).json(); },
    async stop() {
      child.kill('SIGTERM');
      const exited = new Promise((r) => child.once('exit', r));
      if (await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]) === false) child.kill('SIGKILL');
    },
  };
}

export async function launchBrowser() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'p2pc-chromium-'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  return {
    browser,
    /** Opens one viewer in a context of its own (its own HTTP cache, as a separate visitor has). */
    async openViewer(url) {
      // A small viewport: software compositing of a 1280x720 page costs each page ~4 % of a core
      // on a 2-core machine, and tests never look at pixels (the benchmarks use the same size).
      const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 480, height: 320 } });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      // Every HTTP request the page made (bounded), for diagnostics: a stall with no segment load
      // before it is a player waiting on something else (a manifest, signatures).
      const http = [];
      page.on('requestfinished', (r) => {
        const t = r.timing();
        http.push({ url: r.url(), atMs: Math.round(t.startTime), ms: Math.round(t.responseEnd), failed: false });
        if (http.length > 2000) http.shift();
      });
      page.on('requestfailed', (r) => {
        http.push({ url: r.url(), atMs: Math.round(r.timing().startTime), ms: -1, failed: r.failure()?.errorText ?? true });
        if (http.length > 2000) http.shift();
      });
      const openedAt = Date.now();
      await page.goto(url);
      // The page is ready once the SDK registered, joined and handed the stream to the player.
      await page.waitForFunction(() => window['p2pDemo'] !== undefined, null, { timeout: 30_000 });
      return {
        page, context, errors, openedAt,
        stats: () => page.evaluate(() => window['p2pDemo']?.stats()),
        /** The page's stalls and, for each, the loads under way in the 6 s before it ended, as text. */
        diagnose: async () => describeStalls(await page.evaluate(() => window['p2pDemo']?.diagnostics()), http),
      };
    },
    async close() { await browser.close(); rmSync(userDataDir, { recursive: true, force: true }); },
  };
}

/**
 * Text for a test's failure message: each stall, and the loads asked for in the 6 s before it
 * ended, with each neighbour tried (S: the super-peer), how long it took and how it ended.
 * @param {{stalls: {atMs: number, ms: number}[], stalledSince: number | null, loads: any[]} | undefined} d
 * @param {{url: string, atMs: number, ms: number, failed: any}[]} [http] the page's HTTP requests
 */
export function describeStalls(d, http = []) {
  if (!d) return 'no diagnostics (the page never set up)';
  const stalls = [...d.stalls];
  if (d.stalledSince !== null) stalls.push({ atMs: d.stalledSince, ms: Date.now() - d.stalledSince });
  const span = (/** @type {any[]} */ xs) => (xs.length ? `${new Date(xs[0].atMs).toISOString().slice(11, 23)}–${new Date(xs[xs.length - 1].atMs).toISOString().slice(11, 23)}` : 'none');
  const out = [`  loads logged: ${d.loads.length} (${span(d.loads)}); HTTP requests logged: ${http.length} (${span(http)})`];
  for (const s of stalls.filter((x) => x.ms >= 500)) {
    out.push(`  stall at ${new Date(s.atMs).toISOString().slice(11, 23)} for ${s.ms} ms; loads before it:`);
    for (const l of d.loads.filter((x) => x.atMs <= s.atMs + s.ms && x.atMs >= s.atMs - 6000)) {
      const tries = l.tries.map((t) => `${t.peer === 'http' ? 'http' : t.peer.slice(0, 6)}${t.superPeer ? '(S)' : ''} ${t.ms} ms ${t.outcome}`).join('; ');
      out.push(`    ${new Date(l.atMs).toISOString().slice(11, 23)} ${l.stream}/${l.name} needed in ${l.neededInMs} ms, took ${l.tookMs} ms (statement ${l.statementMs}, waited ${l.waitedMs}) from ${l.source}: ${tries}`);
    }
    for (const h of http.filter((x) => x.atMs <= s.atMs + s.ms && x.atMs >= s.atMs - 6000)) {
      out.push(`    ${new Date(h.atMs).toISOString().slice(11, 23)} HTTP ${new URL(h.url).pathname} ${h.failed ? `failed: ${h.failed}` : `${h.ms} ms`}`);
    }
  }
  return out.join('\n');
}

/** @param {number[]} xs @param {number} p */
export function percentile(xs, p) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
