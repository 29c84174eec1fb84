// @ts-check
// The reference server's page: plays the live stream through the p2p-collab SDK and shows where
// the bytes come from. `window.p2pDemo.stats()` is what the end-to-end tests and the benchmark read.
import { createPlayer } from '/p2p-collab/index.js';
import { setUpOverlays } from './overlays.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const video = /** @type {HTMLVideoElement} */ ($('video'));
const config = await (await fetch('/config.json')).json();

const openedAt = performance.timeOrigin; // navigation start: startup counts from here
let startupMs = /** @type {number | null} */ (null);
let stalls = 0;
let stallMsMax = 0;
let stallMsTotal = 0;
let stalledAt = /** @type {number | null} */ (null);
/** The latest stalls, for diagnostics: when each began (epoch ms) and how long it lasted. */
const stallLog = /** @type {{atMs: number, ms: number}[]} */ ([]);
const errors = /** @type {string[]} */ ([]);

video.addEventListener('playing', () => {
  if (startupMs === null) startupMs = Math.round(Date.now() - openedAt);
  if (stalledAt !== null) {
    const ms = Date.now() - stalledAt;
    stallMsTotal += ms;
    stallMsMax = Math.max(stallMsMax, ms);
    stallLog.push({ atMs: stalledAt, ms });
    if (stallLog.length > 20) stallLog.shift();
    stalledAt = null;
  }
});
video.addEventListener('waiting', () => {
  if (startupMs !== null && stalledAt === null) {
    stalls++;
    stalledAt = Date.now();
  }
});

const player = await createPlayer({
  video,
  shaka: /** @type {any} */ (window).shaka,
  signalingUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.hostname}:${config.signalingPort}/signal`,
  stream: config.stream,
  // ?relayOnly: connect to other peers only through the TURN servers the Coordinator hands out.
  relayOnly: new URLSearchParams(location.search).has('relayOnly'),
});
const signalingErrors = /** @type {string[]} */ ([]);
player.addEventListener('error', (/** @type {any} */ e) => errors.push(String(e.detail?.code ?? e.message ?? e)));
player.addEventListener('signaling-error', (/** @type {any} */ e) => signalingErrors.push(String(e.detail?.code)));

/** How far the picture on screen is behind real time: the live edge is "now" on the wall clock. */
function liveEdgeDelayMs() {
  const playhead = startupMs === null ? null : player.shaka.getPlayheadTimeAsDate?.();
  return playhead ? Math.max(0, Date.now() - playhead.getTime()) : null;
}

function stats() {
  const s = player.stats();
  return {
    peerId: s.peerId ?? null,
    peers: s.peers,
    bytes: { peer: s.bytes.peer, superPeer: s.bytes.superPeer, http: s.bytes.http },
    uploaded: s.uploaded ?? 0,
    // transfers cancelled for falling behind, BUSY received and sent, neighbours reported
    neighbourFaults: s.neighbourFaults,
    // per stream (the main one and each overlay): bytes by source and P2P ratio
    streams: s.streams,
    currentTime: video.currentTime,
    startupMs,
    stalls,
    // A stall still going on counts with its length so far.
    stallMsMax: Math.max(stallMsMax, stalledAt === null ? 0 : Date.now() - stalledAt),
    stallMsTotal: stallMsTotal + (stalledAt === null ? 0 : Date.now() - stalledAt),
    liveEdgeDelayMs: liveEdgeDelayMs(),
    errors: [...errors],
    signalingErrors: [...signalingErrors],
  };
}
const overlays = setUpOverlays(player, config.stream);
/** @type {any} */ (window).p2pDemo = {
  stats,
  player,
  // What to read when a viewer stalled: the stalls and the Content Loader's latest loads.
  diagnostics: () => ({ stalls: [...stallLog], stalledSince: stalledAt, loads: player.loader.recentLoads() }),
  ...overlays,
};

// --- the stats panel and its plot -------------------------------------------------------------
const history = /** @type {{ratio: number, delay: number | null}[]} */ ([]);
const fmtBytes = (/** @type {number} */ n) =>
  n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(0)} KiB` : `${n} B`;

function render() {
  const s = stats();
  const total = s.bytes.peer + s.bytes.superPeer + s.bytes.http;
  const ratio = total > 0 ? s.bytes.peer / total : 0;
  $('s-id').textContent = s.peerId ?? '—';
  $('s-peers').textContent = String(s.peers);
  $('s-peer').textContent = fmtBytes(s.bytes.peer);
  $('s-super').textContent = fmtBytes(s.bytes.superPeer);
  $('s-http').textContent = fmtBytes(s.bytes.http);
  $('s-up').textContent = fmtBytes(s.uploaded);
  $('s-ratio').textContent = total > 0 ? `${(ratio * 100).toFixed(0)} %` : '—';
  $('s-delay').textContent = s.liveEdgeDelayMs === null ? '—' : `${(s.liveEdgeDelayMs / 1000).toFixed(1)} s`;
  $('s-stalls').textContent = String(s.stalls);
  $('status').textContent = s.startupMs === null ? 'connecting…' : `live · ${s.peers} peer${s.peers === 1 ? '' : 's'}`;
  history.push({ ratio, delay: s.liveEdgeDelayMs });
  if (history.length > 120) history.shift();
  plot();
}

function plot() {
  const canvas = /** @type {HTMLCanvasElement} */ ($('plot'));
  const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const { width: w, height: h } = canvas;
  g.clearRect(0, 0, w, h);
  g.strokeStyle = '#2a3340';
  for (let y = 0; y <= 4; y++) { g.beginPath(); g.moveTo(0, (y * h) / 4); g.lineTo(w, (y * h) / 4); g.stroke(); }
  const line = (/** @type {string} */ color, /** @type {(p: any) => number | null} */ f) => {
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    let started = false;
    history.forEach((p, i) => {
      const v = f(p);
      if (v === null) return;
      const x = (i / 119) * w, y = h - Math.min(1, Math.max(0, v)) * (h - 4) - 2;
      if (started) g.lineTo(x, y); else { g.moveTo(x, y); started = true; }
    });
    g.stroke();
  };
  line('#4cd07d', (p) => p.ratio);
  line('#f5a524', (p) => (p.delay === null ? null : p.delay / 10_000));
}
setInterval(render, 1000);
