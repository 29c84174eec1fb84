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
import { ContentLoader } from './content-loader.js';
import { routeThrough } from './shaka.js';
import { SignalingClient } from './signaling.js';

export { ContentLoader, fileName, parseFileName } from './content-loader.js';
export { SignalingClient } from './signaling.js';
export { PeerLink } from './peer.js';
export { SignalingError } from './signaling-codec.js';

/**
 * Registers with the Coordinator, joins `stream`, connects to the peers it is given, and plays the
 * stream with Shaka Player, whose segment requests go through the Content Loader.
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

  return {
    shaka: player,
    loader,
    signaling,
    /** Peers connected, bytes by source, bytes uploaded, P2P ratio. */
    stats: () => ({ peerId: signaling.peerId, ...loader.stats() }),
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

/** @param {ContentLoader} loader @param {number} ms */
function firstNeighbour(loader, ms) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    loader.addEventListener('neighbour', () => { clearTimeout(t); resolve(undefined); }, { once: true });
  });
}
