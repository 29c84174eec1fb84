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
      const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      const openedAt = Date.now();
      await page.goto(url);
      // The page is ready once the SDK registered, joined and handed the stream to the player.
      await page.waitForFunction(() => window['p2pDemo'] !== undefined, null, { timeout: 30_000 });
      return { page, context, errors, openedAt, stats: () => page.evaluate(() => window['p2pDemo']?.stats()) };
    },
    async close() { await browser.close(); rmSync(userDataDir, { recursive: true, force: true }); },
  };
}

/** @param {number[]} xs @param {number} p */
export function percentile(xs, p) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
