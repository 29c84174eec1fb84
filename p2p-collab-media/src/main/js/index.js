// @ts-check
/**
 * p2p-collab browser SDK. A page plays a live stream peer to peer in a few lines:
 *
 *     import { createPlayer } from '/p2p-collab/index.js';
 *     const player = await createPlayer({ video, shaka, signalingUrl: 'wss://example.org/signal', stream: 'main' });
 *     setInterval(() => console.log(player.stats()), 1000);
 *
 * @module
 */
import { Contribution } from './contribute.js';
import { ContentLoader } from './content-loader.js';
import { readPrft, timingTrack } from './fmp4.js';
import { routeThrough } from './shaka.js';
import { SignalingClient } from './signaling.js';

export { ContentLoader, fileName, parseFileName } from './content-loader.js';
export { Contribution } from './contribute.js';
export { SignalingClient } from './signaling.js';
export { PeerLink } from './peer.js';
export { SignalingError } from './signaling-codec.js';

/**
 * Registers with the Coordinator, joins `stream`, connects to the peers it is given, and plays the
 * stream with Shaka Player, whose segment requests go through the Content Loader.
 *
 * The returned player also follows the room: `stream-added` / `stream-removed` events (detail:
 * the stream info / `{stream}`) tell of contributions going live and ending; `watch(info, video)`
 * plays one more stream (an overlay) through the same Content Loader, so its segments flow peer
 * to peer like the main stream's; `goLive({stream, token, media})` contributes this page's camera.
 *
 * @param {{
 *   video: HTMLVideoElement, shaka: any, signalingUrl: string, stream: string,
 *   rtcConfig?: RTCConfiguration, shakaConfig?: object, token?: string,
 *   neighbourWaitMs?: number, relayOnly?: boolean,
 * }} o  `relayOnly`: connect to other peers only through the TURN servers the Coordinator hands
 *   out (`iceTransportPolicy: 'relay'`), so no peer ever learns this visitor's address — at the
 *   cost of relaying every byte through TURN (see docs/security.md).
 */
export async function createPlayer(o) {
  const signaling = new SignalingClient(o.signalingUrl, { token: o.token });
  const welcome = await signaling.connect();
  const joined = await signaling.join(o.stream);
  const loader = new ContentLoader({
    signaling,
    stream: joined.stream,
    baseUrl: location.href,
    RTCPeerConnection,
    rtcConfig: o.rtcConfig ?? { iceServers: welcome.iceServers, ...(o.relayOnly ? { iceTransportPolicy: 'relay' } : {}) },
  });
  loader.start(joined.peers);
  // A neighbour that is open before the player's first requests serves them too; do not wait long.
  if (joined.peers.length > 0) await firstNeighbour(loader, o.neighbourWaitMs ?? 1500);

  const unroute = routeThrough(o.shaka, loader, o.video);
  const player = new o.shaka.Player();
  await player.attach(o.video);
  player.configure({ streaming: { retryParameters: { maxAttempts: 4, baseDelay: 250 } }, ...(o.shakaConfig ?? {}) });
  const events = new EventTarget();
  player.addEventListener('error', (/** @type {any} */ e) => events.dispatchEvent(new CustomEvent('error', { detail: e.detail })));
  // Refused signaling messages are the protocol's business (e.g. a relay to a peer that just
  // left); they never stop playback, so they are reported apart from player errors.
  signaling.addEventListener('error', (e) => events.dispatchEvent(new CustomEvent('signaling-error', { detail: /** @type {CustomEvent} */ (e).detail })));
  await player.load(new URL(joined.stream.manifestUrl, location.href).href);

  /** @type {Map<string, any>} streams of the room, by ID */
  const room = new Map(welcome.streams.map((/** @type {any} */ s) => [s.id, s]));
  signaling.addEventListener('stream-added', (e) => {
    const info = /** @type {CustomEvent} */ (e).detail.stream;
    room.set(info.id, info);
    const before = loader.streams.get(info.id)?.info;
    if (before) loader.addStream(info); // restarted: a new key
    // The main stream restarted: its MPD (kept for a minute, docs/protocol.md §4) is a new one at
    // a new URL, with a new timeline; the player must load it, not wait for its next update.
    if (info.id === joined.stream.id && before && before.manifestUrl !== info.manifestUrl) {
      player.load(new URL(info.manifestUrl, location.href).href).catch((/** @type {any} */ e) =>
        events.dispatchEvent(new CustomEvent('error', { detail: e })));
    }
    events.dispatchEvent(new CustomEvent('stream-added', { detail: info }));
  });
  signaling.addEventListener('stream-removed', (e) => {
    const id = /** @type {CustomEvent} */ (e).detail.stream;
    room.delete(id);
    events.dispatchEvent(new CustomEvent('stream-removed', { detail: { stream: id } }));
  });

  return {
    shaka: player,
    loader,
    signaling,
    /** Peers connected, bytes by source, bytes uploaded, P2P ratio. */
    stats: () => ({ peerId: signaling.peerId, ...loader.stats() }),
    /** The streams of the room now (the main one and live contributions). */
    streams: () => [...room.values()],
    /**
     * Plays one more stream of the room in `video` through the same Content Loader.
     * @param {{id: string, manifestUrl: string, hashesUrl: string, publicKey?: string, signaturesUrl?: string}} info
     * @param {HTMLVideoElement} video
     */
    watch: (info, video) => watch(o.shaka, loader, info, video, o.shakaConfig),
    /**
     * Goes live with `media` (e.g. from getUserMedia) as stream `stream`; needs a contributor
     * token, or an operator's approval (asked for when there is no token).
     * @param {{stream: string, token?: string, media: MediaStream, videoBitsPerSecond?: number}} c
     */
    goLive: (c) => {
      const contribution = new Contribution({ signaling, loader, ...c });
      contribution.start();
      return contribution;
    },
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
    async close() {
      unroute();
      loader.close();
      signaling.close();
      await player.destroy();
    },
  };
}

/**
 * An overlay: another Shaka player on the same Content Loader. It also measures glass-to-glass
 * latency: each contributed segment carries the wall-clock time its first frame was captured
 * (`prft`), and every frame shown is compared with it.
 * @param {any} shaka @param {ContentLoader} loader @param {any} info @param {HTMLVideoElement} video @param {object} [config]
 */
async function watch(shaka, loader, info, video, config) {
  await loader.join(info);
  const unroute = routeThrough(shaka, loader, video, info.id);
  const player = new shaka.Player();
  await player.attach(video);
  player.configure({ streaming: { retryParameters: { maxAttempts: 4, baseDelay: 250 } }, ...(config ?? {}) });
  /** @type {{wallMs: number, mediaTime: number}[]} capture stamps, newest last */
  const stamps = [];
  /** @type {number[]} */ const latencies = [];
  let timescale = 0; // of the video track, from the init segment
  const onSegment = (/** @type {Event} */ e) => {
    const d = /** @type {CustomEvent} */ (e).detail;
    if (d.stream !== info.id || !d.data) return;
    if (d.fileName.startsWith('init-')) {
      try { timescale = timingTrack(d.data).timescale; } catch { /* not ours to judge: the player will */ }
      return;
    }
    const p = readPrft(d.data);
    if (p) { stamps.push(p); stamps.sort((a, b) => a.mediaTime - b.mediaTime); if (stamps.length > 60) stamps.shift(); }
  };
  loader.addEventListener('segment', onSegment);
  let closed = false;
  let firstFrameAt = 0;
  /** @type {number | null} presentation time minus media time (the MPD's period start) */
  let offset = null;
  const onFrame = (/** @type {number} */ now, /** @type {any} */ meta) => {
    if (closed) return;
    if (!firstFrameAt) firstFrameAt = Date.now();
    offset ??= timestampOffset(player);
    const t = (meta.mediaTime - (offset ?? 0)) * timescale;
    const stamp = timescale ? [...stamps].reverse().find((s) => s.mediaTime <= t + 1) : undefined;
    if (stamp) {
      const captured = stamp.wallMs + (t - stamp.mediaTime) / timescale * 1000;
      latencies.push(performance.timeOrigin + meta.expectedDisplayTime - captured);
      if (latencies.length > 2000) latencies.splice(0, 1000);
    }
    video.requestVideoFrameCallback(onFrame);
  };
  if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(onFrame);
  await player.load(new URL(info.manifestUrl, location.href).href);
  return {
    shaka: player,
    stream: info.id,
    /** Milliseconds from capture to display of the frames shown so far. */
    glassToGlass: () => [...latencies],
    /** When the first frame was shown (epoch ms), or 0. */
    firstFrameAt: () => firstFrameAt,
    async close() {
      closed = true;
      loader.removeEventListener('segment', onSegment);
      unroute();
      loader.removeStream(info.id);
      await player.destroy();
    },
  };
}

/**
 * Where the stream's media time 0 sits on the player's timeline (contributed streams' periods do
 * not start at 0), from Shaka's segment references; null until they are known.
 * @param {any} player
 */
function timestampOffset(player) {
  try {
    for (const ref of player.getManifest().variants[0].video.segmentIndex) return ref.timestampOffset;
  } catch { /* not loaded yet */ }
  return null;
}

/** @param {ContentLoader} loader @param {number} ms */
function firstNeighbour(loader, ms) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    loader.addEventListener('neighbour', () => { clearTimeout(t); resolve(undefined); }, { once: true });
  });
}
