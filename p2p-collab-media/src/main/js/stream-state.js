// @ts-check
/**
 * What the Content Loader knows of one stream: where it lives, what vouches for its segments (for
 * a signed stream the Media Server's Ed25519-signed statements, which travel with the segments —
 * docs/protocol.md §2.7, §6 —, for an unsigned one its hashes.json), and the window of verified
 * segments it holds and serves.
 *
 * Threading: browser main thread only, like the loader that owns it.
 * @module
 */
import { INIT, MAX_MESSAGE_BYTES } from './wire.js';
import { createVerifier, decodeBase64Url, encodeBase64Url, parseEntry, refFromFileName } from './integrity.js';

/** The response header that carries a segment's signed statement (docs/protocol.md §2.7). */
export const STATEMENT_HEADER = 'P2P-Collab-Statement';

/** @typedef {import('./integrity.js').SegmentSignature} SegmentSignature */

/**
 * The STATEMENT that answers request `requestId` with `entry` (docs/protocol.md §2.2).
 * @param {number} requestId @param {SegmentSignature} entry
 * @returns {import('./wire.js').WireMessage & {type: 'STATEMENT'}}
 */
export function statementMessage(requestId, entry) {
  const sha256 = Uint8Array.from(entry.sha256.match(/../g) ?? [], (h) => parseInt(h, 16));
  return { type: 'STATEMENT', requestId, length: entry.length, sha256, sig: decodeBase64Url(entry.sig, 64) };
}

/**
 * The signatures.json-style entry a STATEMENT carries.
 * @param {{length: number, sha256: Uint8Array, sig: Uint8Array}} m
 * @returns {SegmentSignature}
 */
export function statementEntry(m) {
  return {
    length: m.length,
    sha256: [...m.sha256].map((b) => b.toString(16).padStart(2, '0')).join(''),
    sig: encodeBase64Url(m.sig),
  };
}

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
    /** @type {Promise<import('./integrity.js').SegmentVerifier> | null} */
    this.verifier = this.signed ? createVerifier(env.subtle, /** @type {string} */ (info.publicKey)) : null;
    /** @type {Map<string, SegmentSignature>} verified statements by file name, oldest first */
    this.trusted = new Map();
    /**
     * Verified segments by file name, oldest first, each with the statement it is served with
     * (null: a segment of a signed stream the origin sent without one, played but not shared).
     * @type {Map<string, {data: Uint8Array, source: Source, statement: SegmentSignature | null}>}
     */
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

  /** The names of the segments held that can be served (for a signed stream: with a statement). */
  servableNames() {
    return [...this.cache].filter(([, e]) => !this.signed || e.statement).map(([k]) => k);
  }

  /** The HAVE that lists everything that can be served. */
  haveMessage() {
    const all = this.servableNames().map((k) => /** @type {{track: string, number: number}} */ (parseFileName(k)));
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
    const numbers = [...new Set(this.servableNames().map((k) => /** @type {any} */ (parseFileName(k)).number).filter((x) => x !== INIT))];
    return { stream: this.id, segments: numbers.length, newest: numbers.length ? Math.max(...numbers) : -1 };
  }

  /**
   * What `name` must be, when known before any byte of it arrives: for a signed stream the
   * statement already verified (statements travel with segments, docs/protocol.md §2.7: most are
   * learned from the answer itself), for an unsigned one its published SHA-256, fetched again
   * when the list does not know the name yet. Null when nothing is known.
   * @param {string} name
   * @returns {Promise<{length: number | undefined, sha256: string} | null>}
   */
  async expected(name) {
    if (this.signed) return this.trusted.get(name) ?? null;
    if (!this.hashes.has(name)) await this.refreshHashes();
    const sha256 = this.hashes.get(name);
    return sha256 ? { length: undefined, sha256 } : null;
  }

  /** Whether this page can check the stream's statements (WebCrypto Ed25519). */
  async canVerify() {
    if (!this.verifier) return false;
    try { await this.verifier; return true; } catch { return false; }
  }

  /**
   * Whether `entry` is the Media Server's statement about `name`: its signature verifies under
   * the stream key, and it does not contradict a statement verified before (the Media Server
   * makes exactly one per segment). A verified one is kept, to be sent on with the segment.
   * @param {string} name @param {SegmentSignature} entry
   */
  async checkStatement(name, entry) {
    const known = this.trusted.get(name);
    if (known) return known.length === entry.length && known.sha256 === entry.sha256 && known.sig === entry.sig;
    const ref = refFromFileName(this.id, name);
    if (!ref || !this.verifier) return false;
    let ok = false;
    try { ok = await (await this.verifier).verify(ref, entry); } catch { ok = false; }
    if (ok && !this.trusted.has(name)) {
      this.trusted.set(name, entry);
      const window = this.env.windowSegments;
      if (this.trusted.size > 4 * window) {
        const keep = new Set([...this.trusted.keys()].slice(-2 * window));
        for (const k of this.trusted.keys()) if (!keep.has(k) && k.startsWith('chunk-')) this.trusted.delete(k);
      }
    }
    return ok;
  }

  /**
   * Whether `data` is what the Media Server published as `name`: for a signed stream, `statement`
   * (the one that came with the bytes) verifies and the bytes match it; for an unsigned one, the
   * bytes match the published SHA-256.
   * @param {string} name @param {Uint8Array} data @param {SegmentSignature | null} [statement]
   */
  async verify(name, data, statement = null) {
    if (this.signed) return statement !== null && (await this.checkStatement(name, statement)) && this.matches(statement, data);
    const expected = await this.expected(name);
    return expected !== null && this.matches(expected, data);
  }

  /**
   * Whether the origin's `data` for `name` may be played: it matches the statement of the
   * response's header when there is one (it must verify), else the statement known, else — a
   * CDN that strips the header — it is trusted like the page, but kept without a statement and
   * so never served on.
   * @param {string} name @param {Uint8Array} data @param {SegmentSignature | null} statement from the header
   * @returns {Promise<{ok: boolean, statement: SegmentSignature | null}>}
   */
  async verifyFromOrigin(name, data, statement) {
    if (!this.signed) return { ok: await this.verify(name, data), statement: null };
    if (statement) return { ok: await this.verify(name, data, statement), statement };
    const known = this.trusted.get(name);
    if (known) return { ok: await this.matches(known, data), statement: known };
    return { ok: true, statement: null };
  }

  /**
   * GETs `name` from the origin at `url`, checked as {@link verifyFromOrigin} says, with the
   * statement of its `P2P-Collab-Statement` header.
   * @param {string} url @param {string} name
   * @returns {Promise<{data: Uint8Array, statement: SegmentSignature | null}>}
   * @throws {Error} (rejects) an HTTP error, a malformed header, bytes that do not match
   */
  async fromOrigin(url, name) {
    const response = await this.env.fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
    const data = new Uint8Array(await response.arrayBuffer());
    const header = this.signed ? response.headers.get(STATEMENT_HEADER) : null;
    let given = null;
    if (header !== null) {
      try { given = parseEntry(JSON.parse(header)); } catch { throw new Error(`segment ${name} from HTTP has a malformed ${STATEMENT_HEADER}`); }
    }
    const checked = await this.verifyFromOrigin(name, data, given);
    if (!checked.ok) throw new Error(`segment ${name} from HTTP does not match its ${this.signed ? 'statement' : 'hash'}`);
    return { data, statement: checked.statement };
  }

  /** @param {{length: number | undefined, sha256: string}} expected @param {Uint8Array} data */
  async matches(expected, data) {
    if (expected.length !== undefined && data.length !== expected.length) return false;
    const digest = new Uint8Array(await this.env.subtle.digest('SHA-256', data));
    return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') === expected.sha256;
  }

  /**
   * What may be served of `name`: its bytes and, for a signed stream, its statement (the
   * STATEMENT sent before them); undefined if it is not held, or held without a statement.
   * @param {string} name
   * @returns {{data: Uint8Array, statement: import('./wire.js').WireMessage & {type: 'STATEMENT'} | null} | undefined}
   */
  servable(name) {
    const e = this.cache.get(name);
    if (!e || (this.signed && !e.statement)) return undefined;
    return { data: e.data, statement: e.statement ? statementMessage(0, e.statement) : null };
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
