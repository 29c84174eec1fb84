// @ts-check
// A swarm of Content Loaders on the in-memory fakes, with scripted peers beside them. Tests only.
import { ContentLoader } from './content-loader.js';
import { PeerLink } from './peer.js';
import { fakeOrigin, fakeRtc, FakeSignaling, ManualClock, rawPeer } from './fakes.test-support.js';

export const BASE = 'http://127.0.0.1:8080/';
export const STREAM = { id: 'main', manifestUrl: '/live/main/manifest.mpd', hashesUrl: '/live/main/hashes.json' };
/** @param {string} name */
export const url = (name) => `http://127.0.0.1:8080/live/main/${name}`;
/** @param {number} n @param {number} [size] */
export const segment = (n, size = 40_000) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + n) & 0xff);
/** A peer ID (22 characters) made of one character. @param {string} c */
export const ID = (c) => c.repeat(22);

/**
 * `count` loaders (IDs aaa…, bbb…, …) sharing a clock, an origin serving `segments`, a WebRTC
 * and a signaling relay; `raw(id)` adds a scripted peer to the same network.
 * @param {number} count @param {Record<string, Uint8Array>} segments
 * @param {{stream?: any, wrapFetch?: (f: any) => any, options?: Record<string, any>}} [o]
 */
export async function swarm(count, segments, { stream = STREAM, wrapFetch = (f) => f, options = {} } = {}) {
  const clock = new ManualClock();
  const origin = await fakeOrigin(segments);
  origin.fetch = wrapFetch(origin.fetch);
  const rtc = fakeRtc();
  const relay = new Map();
  const loaders = [];
  for (let i = 0; i < count; i++) {
    const signaling = new FakeSignaling(ID(String.fromCharCode(97 + i)), relay);
    loaders.push(new ContentLoader(/** @type {any} */ ({
      signaling, stream, baseUrl: BASE, RTCPeerConnection: rtc.RTCPeerConnection,
      fetch: origin.fetch, now: clock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout, ...options,
    })));
  }
  const raw = (/** @type {string} */ id) => rawPeer({ id, relay, rtc, clock, PeerLink });
  return { clock, origin, rtc, relay, loaders, raw };
}

/**
 * Like {@link swarm}, for a signed stream (docs/protocol.md §6): a fresh Ed25519 key signs every
 * segment, the origin sends each one's statement in the `P2P-Collab-Statement` header (unless
 * `header` is false: a CDN that strips it). `signatures` holds every statement, `keys` the key pair.
 * @param {number} count @param {Record<string, Uint8Array>} segments @param {{options?: Record<string, any>, header?: boolean}} [o]
 */
export async function signedSwarm(count, segments, o = {}) {
  const { subtle } = globalThis.crypto;
  const keys = await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const publicKey = Buffer.from(await subtle.exportKey('raw', keys.publicKey)).toString('base64url');
  const { statement, refFromFileName } = await import('./integrity.js');
  const signatures = {};
  for (const [name, data] of Object.entries(segments)) {
    const sha = new Uint8Array(await subtle.digest('SHA-256', data));
    const sig = new Uint8Array(await subtle.sign({ name: 'Ed25519' }, keys.privateKey, statement(refFromFileName('main', name), data.length, sha)));
    signatures[name] = { length: data.length, sha256: Buffer.from(sha).toString('hex'), sig: Buffer.from(sig).toString('base64url') };
  }
  const s = await swarm(count, segments, {
    stream: { ...STREAM, publicKey, signaturesUrl: '/live/main/signatures.json' },
    // The origin sends each segment's statement in its response header (docs/protocol.md §2.7).
    wrapFetch: (plain) => async (u) => {
      const r = await plain(u);
      const entry = signatures[String(u).split('/').pop() ?? ''];
      if (!r.ok || !entry || o.header === false) return r;
      return new Response(await r.arrayBuffer(), { status: r.status, headers: { 'P2P-Collab-Statement': JSON.stringify(entry) } });
    },
    options: o.options,
  });
  return { ...s, signatures, keys };
}
