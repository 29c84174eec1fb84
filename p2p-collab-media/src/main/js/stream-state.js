// @ts-check
/**
 * What the Content Loader knows of one stream: where it lives, what vouches for its segments (the
 * Media Server's hashes.json, or for a signed stream its Ed25519-signed statements, docs/protocol.md
 * §6), and the window of verified segments it holds and serves.
 *
 * Threading: browser main thread only, like the loader that owns it.
 * @module
 */
import { INIT, MAX_MESSAGE_BYTES } from './wire.js';
import { createVerifier, parseEntry, refFromFileName } from './integrity.js';

const utf8 = new TextEncoder();

/** @typedef {'peer' | 'superPeer' | 'http'} Source */
/** @typedef {{id: string, manifestUrl: string, hashesUrl: string, publicKey?: string, signaturesUrl?: string}} StreamInfo */
/**
 * What a stream reads from its loader at the moment it needs it (so a test or a host may swap
 * `fetch`, or resize the window, after construction).
 * @typedef {{fetch: typeof fetch, subtle: SubtleCrypto, windowSegments: number}} StreamEnv
 */

/** @param {string} track @param {number} number */
export function fileName(track, number) {
  return number === INIT ? `init-stream${track}.m4s` : `chunk-stream${track}-${String(number).padStart(5, '0')}.m4s`;
}

/**
 * The segment a file name denotes (docs/protocol.md §4), or null.
 * @param {string} name
 * @returns {{track: string, number: number} | null}
 */
export function parseFileName(name) {
  const init = /^init-stream(.+)\.m4s$/.exec(name);
  const chunk = /^chunk-stream(.+)-(\d+)\.m4s$/.exec(name);
  const ref = init ? { track: init[1], number: INIT } : chunk ? { track: chunk[1], number: Number(chunk[2]) } : null;
  return ref && ref.number <= INIT && fileName(ref.track, ref.number) === name ? ref : null;
}

export class StreamState {
  /** @param {StreamInfo} info @param {string} baseUrl @param {StreamEnv} env */
  constructor(info, baseUrl, env) {
    this.info = info;
    this.id = info.id;
    this.env = env;
    this.base = new URL(info.manifestUrl, baseUrl);
    this.hashesUrl = new URL(info.hashesUrl, baseUrl).href;
    // A signed stream (docs/protocol.md §6): segments are checked against the Media Server's
    // Ed25519-signed statements, and a segment without one is never taken from peers.
    this.signed = Boolean(info.publicKey && info.signaturesUrl);
    this.signaturesUrl = this.signed ? new URL(/** @type {string} */ (info.signaturesUrl), baseUrl).href : '';
    /** @type {Promise<import('./integrity.js').SegmentVerifier> | null} */
    this.verifier = this.signed ? createVerifier(env.subtle, /** @type {string} */ (info.publicKey)) : null;
    /** @type {Map<string, {length: number, sha256: string}>} verified statements by file name */
    this.trusted = new Map();
    /** @type {Promise<void> | null} */ this.signaturesLoading = null;
    /** @type {Map<string, {data: Uint8Array, source: Source}>} verified segments by file name, oldest first */
    this.cache = new Map();
    /** @type {Map<string, string>} */ this.hashes = new Map();
    /** @type {Promise<void> | null} */ this.hashesLoading = null;
    this.bytes = { peer: 0, superPeer: 0, http: 0 };
  }

  /** Drops the oldest media segments beyond the window; init segments stay. */
  evict() {
    const media = [...this.cache.keys()].filter((k) => k.startsWith('chunk-'));
    for (const k of media.slice(0, Math.max(0, media.length - this.env.windowSegments))) this.cache.delete(k);
  }

  /** The HAVE that lists everything held. */
  haveMessage() {
    const all = [...this.cache.keys()].map((k) => /** @type {{track: string, number: number}} */ (parseFileName(k)));
    // At most one message (docs/protocol.md §2.2): init segments first, then the newest media segments.
    all.sort((a, b) => Number(b.number === INIT) - Number(a.number === INIT) || b.number - a.number || (a.track < b.track ? -1 : a.track > b.track ? 1 : 0));
    let budget = MAX_MESSAGE_BYTES - (1 + 1 + utf8.encode(this.id).length + 2);
    const held = [];
    for (const r of all) {
      const size = 1 + utf8.encode(r.track).length + 4;
      if (size > budget || held.length === 0xffff) break;
      budget -= size;
      held.push(r);
    }
    return /** @type {import('./wire.js').WireMessage} */ ({ type: 'HAVE', stream: this.id, held });
  }

  /** This stream's entry of the `state` message. */
  holding() {
    // A segment number counts once, whatever number of tracks (video, audio) hold it; init segments not at all.
    const numbers = [...new Set([...this.cache.keys()].map((k) => /** @type {any} */ (parseFileName(k)).number).filter((x) => x !== INIT))];
    return { stream: this.id, segments: numbers.length, newest: numbers.length ? Math.max(...numbers) : -1 };
  }

  /**
   * What `name` must be: its signed length and SHA-256 (signed streams), or its published SHA-256
   * (unsigned streams); the list is fetched again when it does not know the name yet. Null when
   * there is nothing trustworthy to check it against.
   * @param {string} name
   * @returns {Promise<{length: number | undefined, sha256: string} | null>}
   */
  async expected(name) {
    if (this.signed) {
      if (!this.trusted.has(name)) await this.refreshSignatures();
      return this.trusted.get(name) ?? null;
    }
    if (!this.hashes.has(name)) await this.refreshHashes();
    const sha256 = this.hashes.get(name);
    return sha256 ? { length: undefined, sha256 } : null;
  }

  /** Whether `data` is what the Media Server published as `name`. @param {string} name @param {Uint8Array} data */
  async verify(name, data) {
    const expected = await this.expected(name);
    if (!expected || (expected.length !== undefined && data.length !== expected.length)) return false;
    const digest = new Uint8Array(await this.env.subtle.digest('SHA-256', data));
    return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') === expected.sha256;
  }

  /** Fetches signatures.json and keeps the entries whose signatures verify (new ones only). */
  refreshSignatures() {
    this.signaturesLoading ??= (async () => {
      try {
        const verifier = await /** @type {Promise<import('./integrity.js').SegmentVerifier>} */ (this.verifier);
        const r = await this.env.fetch(this.signaturesUrl, { cache: 'no-store' });
        if (!r.ok) return;
        const text = await r.text();
        if (text.length > 1 << 20) return;
        const root = JSON.parse(text);
        if (root === null || typeof root !== 'object' || Array.isArray(root)) return;
        for (const [name, value] of Object.entries(root)) {
          if (this.trusted.has(name)) continue;
          const ref = refFromFileName(this.id, name);
          if (!ref) continue;
          let entry;
          try { entry = parseEntry(value); } catch { continue; }
          if (await verifier.verify(ref, entry)) this.trusted.set(name, { length: entry.length, sha256: entry.sha256 });
        }
        const window = this.env.windowSegments;
        if (this.trusted.size > 4 * window) {
          const keep = new Set([...this.trusted.keys()].slice(-2 * window));
          for (const k of this.trusted.keys()) if (!keep.has(k) && k.startsWith('chunk-')) this.trusted.delete(k);
        }
      } catch { /* a bad or unreachable list: nothing new is trusted */ } finally {
        this.signaturesLoading = null;
      }
    })();
    return this.signaturesLoading;
  }

  /** Fetches hashes.json (unsigned streams) and keeps the newest entries. */
  refreshHashes() {
    this.hashesLoading ??= (async () => {
      try {
        const r = await this.env.fetch(this.hashesUrl, { cache: 'no-store' });
        if (r.ok) for (const [k, v] of Object.entries(await r.json())) if (typeof v === 'string') this.hashes.set(k, v);
        const window = this.env.windowSegments;
        if (this.hashes.size > 4 * window) {
          const live = new Set([...this.hashes.keys()].slice(-2 * window));
          for (const k of this.hashes.keys()) if (!live.has(k) && k.startsWith('chunk-')) this.hashes.delete(k);
        }
      } finally {
        this.hashesLoading = null;
      }
    })();
    return this.hashesLoading;
  }
}
