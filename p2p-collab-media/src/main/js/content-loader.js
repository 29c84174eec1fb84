// @ts-check
/**
 * The Content Loader: decides, for every segment the player needs, which neighbour serves it or
 * whether to use HTTP; verifies the SHA-256 the Media Server published for every segment, from
 * peers and from HTTP alike, before handing it to the player or offering it to others; keeps a
 * window of recent segments and serves them to neighbours; reports what it holds to the Tracker.
 *
 * One loader serves every stream a page plays — the main stream and each contribution overlaid
 * on it — over the same neighbours: a data channel carries the HAVEs and REQUESTs of all of them.
 *
 * Events: `neighbour` (detail: {id, superPeer, open}), `segment` (detail: {stream, fileName,
 * source, bytes, data}), `bad-segment` (detail: {stream, fileName, peer}), `ack` (detail: {peer,
 * number, code, message}: a super-peer's answer to pushed contribution segments).
 * @module
 */
import { chooseSource, DEFAULT_CONFIG } from './scheduler.js';
import { PeerLink } from './peer.js';
import { Assembler, INIT, split, WIRE_ERRORS } from './wire.js';
import { createVerifier, parseEntry, refFromFileName } from './integrity.js';

/** @typedef {'peer' | 'superPeer' | 'http'} Source */

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

/** What the loader knows of one stream: where it lives, what vouches for its segments, what it holds. */
class StreamState {
  /**
   * @param {{id: string, manifestUrl: string, hashesUrl: string, publicKey?: string, signaturesUrl?: string}} info
   * @param {string} baseUrl @param {SubtleCrypto} subtle
   */
  constructor(info, baseUrl, subtle) {
    this.info = info;
    this.id = info.id;
    this.base = new URL(info.manifestUrl, baseUrl);
    this.hashesUrl = new URL(info.hashesUrl, baseUrl).href;
    // A signed stream (docs/protocol.md §6): segments are checked against the Media Server's
    // Ed25519-signed statements, and a segment without one is never taken from peers.
    this.signed = Boolean(info.publicKey && info.signaturesUrl);
    this.signaturesUrl = this.signed ? new URL(/** @type {string} */ (info.signaturesUrl), baseUrl).href : '';
    /** @type {Promise<import('./integrity.js').SegmentVerifier> | null} */
    this.verifier = this.signed ? createVerifier(subtle, /** @type {string} */ (info.publicKey)) : null;
    /** @type {Map<string, {length: number, sha256: string}>} verified statements by file name */
    this.trusted = new Map();
    /** @type {Promise<void> | null} */ this.signaturesLoading = null;
    /** @type {Map<string, {data: Uint8Array, source: Source}>} verified segments by file name, oldest first */
    this.cache = new Map();
    /** @type {Map<string, string>} */ this.hashes = new Map();
    /** @type {Promise<void> | null} */ this.hashesLoading = null;
    this.bytes = { peer: 0, superPeer: 0, http: 0 };
  }
}

/**
 * @typedef {{
 *   link: PeerLink, superPeer: boolean, have: Map<string, Set<string>>, outstanding: number,
 *   pending: Map<number, {assembler: Assembler, expectedLength: number | undefined, stream: string, resolve: (b: Uint8Array) => void, reject: (e: Error) => void}>,
 * }} Neighbour
 */

export class ContentLoader extends EventTarget {
  /**
   * @param {{
   *   signaling: import('./signaling.js').SignalingClient,
   *   stream: {id: string, manifestUrl: string, hashesUrl: string, publicKey?: string, signaturesUrl?: string},
   *   baseUrl: string,
   *   RTCPeerConnection: typeof RTCPeerConnection,
   *   rtcConfig?: RTCConfiguration,
   *   fetch?: typeof fetch,
   *   subtle?: SubtleCrypto,
   *   now?: () => number,
   *   setTimeout?: typeof setTimeout,
   *   clearTimeout?: typeof clearTimeout,
   *   maxNeighbours?: number,
   *   targetNeighbours?: number,
   *   windowSegments?: number,
   *   maxQueuedChunks?: number,
   *   scheduler?: import('./scheduler.js').SchedulerConfig,
   * }} o
   */
  constructor(o) {
    super();
    this.o = o;
    this.signaling = o.signaling;
    this.baseUrl = o.baseUrl;
    this.fetch = o.fetch ?? globalThis.fetch.bind(globalThis);
    this.subtle = o.subtle ?? globalThis.crypto.subtle;
    this.now = o.now ?? Date.now;
    /** @type {Map<string, StreamState>} */ this.streams = new Map();
    this.main = this.addStream(o.stream);
    // Wrapped: a browser's setTimeout called as a method of another object throws.
    this.setTimeout = o.setTimeout ?? ((/** @type {() => void} */ fn, /** @type {number} */ ms) => setTimeout(fn, ms));
    this.clearTimeout = o.clearTimeout ?? ((/** @type {any} */ id) => clearTimeout(id));
    this.maxNeighbours = o.maxNeighbours ?? 8;
    this.targetNeighbours = o.targetNeighbours ?? 4;
    this.windowSegments = o.windowSegments ?? 60;
    this.maxQueuedChunks = o.maxQueuedChunks ?? 256;
    this.schedulerConfig = o.scheduler ?? DEFAULT_CONFIG;
    /** @type {Map<string, Neighbour>} */ this.neighbours = new Map();
    /** @type {Set<string>} peers cut for bad data: never connected again during this visit */
    this.blocked = new Set();
    /** @type {Set<() => void>} */ this.waiters = new Set();
    this.nextRequestId = 1;
    this.bytes = { peer: 0, superPeer: 0, http: 0 };
    this.uploaded = 0;
    this.closed = false;

    this.signaling.addEventListener('signal', (e) => this.onSignal(/** @type {CustomEvent} */ (e).detail));
    this.signaling.addEventListener('peers', (e) => this.connectTo(/** @type {CustomEvent} */ (e).detail.peers));
    this.signaling.addEventListener('peer-left', (e) => this.neighbours.get(/** @type {CustomEvent} */ (e).detail.peerId)?.link.close('peer left'));
    // After the Coordinator restarted, join again: open data channels never noticed.
    this.signaling.addEventListener('reconnected', () => this.rejoin());
  }

  /** The main stream's info (the one the loader was made for). */
  get stream() { return this.main.info; }

  /** The main stream's verified segments, by file name. */
  get cache() { return this.main.cache; }

  /** The main stream's verified statements, by file name. */
  get trusted() { return this.main.trusted; }

  /**
   * Starts serving a stream (an overlay) alongside the others, or takes a restarted stream's new
   * key. Joining it at the Tracker is {@link join}'s business.
   * @param {{id: string, manifestUrl: string, hashesUrl: string, publicKey?: string, signaturesUrl?: string}} info
   */
  addStream(info) {
    const known = this.streams.get(info.id);
    if (known && known.info.publicKey === info.publicKey && known.info.manifestUrl === info.manifestUrl) return known;
    const st = new StreamState(info, this.baseUrl, this.subtle);
    this.streams.set(info.id, st);
    if (info.id === this.o.stream.id) this.main = st;
    return st;
  }

  /**
   * Adds `info` and joins it: its peers are connected to (up to the limits), its state reported.
   * @param {{id: string, manifestUrl: string, hashesUrl: string, publicKey?: string, signaturesUrl?: string}} info
   */
  async join(info) {
    this.addStream(info);
    // One join at a time: the signaling client matches answers to questions by type.
    this.joining = (this.joining ?? Promise.resolve()).then(async () => {
      const joined = await this.signaling.join(info.id);
      this.connectTo(joined.peers);
      this.reportState();
      return joined;
    });
    return this.joining;
  }

  /** Stops serving `id`: its segments are dropped, neighbours and the Tracker are told. @param {string} id */
  removeStream(id) {
    if (!this.streams.delete(id) || id === this.main.id) return;
    const have = /** @type {import('./wire.js').WireMessage} */ ({ type: 'HAVE', stream: id, held: [] });
    for (const [, n] of this.openNeighbours()) { n.have.delete(id); n.link.send(have); }
    this.reportState();
  }

  async rejoin() {
    try {
      for (const st of [...this.streams.values()]) {
        const joined = await this.signaling.join(st.id);
        this.connectTo(joined.peers);
      }
      this.reportState();
      this.dispatchEvent(new CustomEvent('rejoined', { detail: { peerId: this.signaling.peerId } }));
    } catch { /* dropped again: the next reconnect rejoins */ }
  }

  /**
   * The open link to `id`, connecting to it first if need be (even past the neighbour target): the
   * super-peer a contribution is uploaded to.
   * @param {string} id @param {boolean} superPeer @param {number} [timeoutMs]
   * @returns {Promise<PeerLink>}
   */
  ensureNeighbour(id, superPeer, timeoutMs = 10_000) {
    const n = this.neighbours.get(id) ?? this.addNeighbour(id, superPeer, true);
    if (n.link.isOpen) return Promise.resolve(n.link);
    return new Promise((resolve, reject) => {
      const timer = this.setTimeout(() => reject(new Error(`no data channel to ${id}`)), timeoutMs);
      n.link.addEventListener('open', () => { this.clearTimeout(timer); resolve(n.link); }, { once: true });
      n.link.addEventListener('close', () => { this.clearTimeout(timer); reject(new Error(`link to ${id} closed`)); }, { once: true });
    });
  }

  /**
   * Starts with the peer list of `joined`; asks for more peers while it has fewer than the target.
   * @param {{id: string, superPeer: boolean}[]} peers
   */
  start(peers) {
    this.connectTo(peers);
    this.reportState();
    const topUp = () => {
      if (this.closed) return;
      if (this.openNeighbours().length < this.targetNeighbours) {
        for (const id of this.streams.keys()) this.signaling.requestPeers(id, this.targetNeighbours);
      }
      this.topUpTimer = this.setTimeout(topUp, 3000);
    };
    this.topUpTimer = this.setTimeout(topUp, 3000);
  }

  /**
   * Whether `url` is a segment of a stream this loader serves (of `streamId`, if given).
   * @param {string} url @param {string} [streamId]
   */
  handles(url, streamId) {
    const ref = this.refOf(url);
    return ref !== null && (streamId === undefined || ref.st.id === streamId);
  }

  /** @param {string} url */
  refOf(url) {
    for (const st of this.streams.values()) {
      const u = new URL(url, st.base);
      const dir = st.base.pathname.slice(0, st.base.pathname.lastIndexOf('/') + 1);
      if (u.origin !== st.base.origin || !u.pathname.startsWith(dir)) continue;
      const name = u.pathname.slice(dir.length);
      const ref = parseFileName(name);
      if (ref) return { ...ref, name, st };
    }
    return null;
  }

  /**
   * Loads one segment: from a neighbour while one can deliver before `deadlineMs`, otherwise over
   * HTTP; verified in either case.
   * @param {string} url @param {number} deadlineMs the instant playback needs it
   * @param {{aborted: boolean}} [abort]
   * @returns {Promise<{data: Uint8Array, source: Source}>}
   */
  async load(url, deadlineMs, abort = { aborted: false }) {
    const ref = this.refOf(url);
    if (!ref) throw new Error(`not a segment of a stream this loader serves: ${url}`);
    const st = ref.st;
    const cached = st.cache.get(ref.name);
    if (cached) return cached; // the player asked again (a retry, a seek): no new bytes moved
    /** @type {Set<string>} peers that failed this segment */
    const failed = new Set();
    // Without a statement we can check, a peer's bytes are worth nothing: HTTP only.
    const expected = await this.expected(st, ref.name);
    const p2p = expected !== null;
    for (;;) {
      if (abort.aborted) throw new Error('aborted');
      const nowMs = this.now();
      const decision = chooseSource({
        segment: { stream: st.id, track: ref.track, number: ref.number },
        nowMs,
        deadlineMs,
        neighbours: (p2p ? this.openNeighbours() : []).map(([id, n]) => ({ id, superPeer: n.superPeer, holds: n.have.get(st.id)?.has(ref.name) ?? false, outstanding: n.outstanding, failures: failed.has(id) ? 1 : 0 })),
      }, this.schedulerConfig);
      if (decision.action === 'PEER') {
        const n = /** @type {Neighbour} */ (this.neighbours.get(decision.peer));
        try {
          const data = await this.requestFrom(decision.peer, n, st, ref, Math.min(5000, Math.max(1000, deadlineMs - nowMs)), expected?.length);
          if (await this.verify(st, ref.name, data)) return this.accept(st, ref.name, data, n.superPeer ? 'superPeer' : 'peer');
          this.punish(decision.peer, n, ref.name, 'bad-segment', st.id);
        } catch { /* timed out, refused, disconnected or cut: try elsewhere */ }
        failed.add(decision.peer);
      } else if (decision.action === 'WAIT') {
        await this.changed(decision.untilMs);
      } else {
        const response = await this.fetch(url);
        if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
        const data = new Uint8Array(await response.arrayBuffer());
        if (!(await this.verify(st, ref.name, data))) throw new Error(`segment ${ref.name} from HTTP does not match its hash`);
        return this.accept(st, ref.name, data, 'http');
      }
    }
  }

  /**
   * A neighbour sent bytes that fail verification: cut it at once and report it to the Tracker.
   * @param {string} id @param {Neighbour} n @param {string} name @param {string} reason @param {string} [stream]
   */
  punish(id, n, name, reason, stream = this.main.id) {
    this.blocked.add(id);
    this.dispatchEvent(new CustomEvent('bad-segment', { detail: { stream, fileName: name, peer: id } }));
    n.link.close(`sent a bad segment (${reason})`);
    this.signaling.report(id, stream, reason);
  }

  /** @param {StreamState} st @param {string} name @param {Uint8Array} data @param {Source} source */
  accept(st, name, data, source) {
    this.bytes[source] += data.length;
    st.bytes[source] += data.length;
    if (!st.cache.has(name) && this.streams.get(st.id) === st) {
      st.cache.set(name, { data, source });
      this.evict(st);
      this.announce(st);
    }
    this.dispatchEvent(new CustomEvent('segment', { detail: { stream: st.id, fileName: name, source, bytes: data.length, data } }));
    return { data, source };
  }

  /** @param {StreamState} st */
  evict(st) {
    const media = [...st.cache.keys()].filter((k) => k.startsWith('chunk-'));
    for (const k of media.slice(0, Math.max(0, media.length - this.windowSegments))) st.cache.delete(k);
  }

  /** Sends HAVE to every open neighbour and the new state to the Tracker. @param {StreamState} st */
  announce(st) {
    const have = this.haveMessage(st);
    for (const [, n] of this.openNeighbours()) n.link.send(have);
    this.reportState();
  }

  /** @param {StreamState} st */
  haveMessage(st) {
    const held = [...st.cache.keys()].map((k) => /** @type {{track: string, number: number}} */ (parseFileName(k)));
    return /** @type {import('./wire.js').WireMessage} */ ({ type: 'HAVE', stream: st.id, held });
  }

  reportState() {
    const streams = [...this.streams.values()].map((st) => {
      const numbers = [...st.cache.keys()].map((k) => /** @type {any} */ (parseFileName(k)).number).filter((x) => x !== INIT);
      return { stream: st.id, segments: numbers.length, newest: numbers.length ? Math.max(...numbers) : -1 };
    });
    this.signaling.setState({
      streams,
      // What the Tracker needs to know: whether handing this peer to a newcomer can work.
      uploadSlots: Math.max(0, this.maxNeighbours - this.neighbours.size),
    });
  }

  /**
   * @param {string} id @param {Neighbour} n @param {StreamState} st
   * @param {{track: string, number: number, name: string}} ref @param {number} timeoutMs
   * @param {number | undefined} expectedLength the signed length: a first chunk announcing another is refused
   * @returns {Promise<Uint8Array>}
   */
  requestFrom(id, n, st, ref, timeoutMs, expectedLength) {
    const requestId = this.nextRequestId++ >>> 0;
    n.outstanding++;
    return new Promise((resolve, reject) => {
      const timer = this.setTimeout(() => {
        n.pending.delete(requestId);
        n.link.send({ type: 'CANCEL', requestId });
        reject(new Error(`peer ${id} timed out`));
      }, timeoutMs);
      n.pending.set(requestId, {
        assembler: new Assembler(requestId),
        expectedLength,
        stream: st.id,
        resolve: (b) => { this.clearTimeout(timer); resolve(b); },
        reject: (e) => { this.clearTimeout(timer); reject(e); },
      });
      n.link.send({ type: 'REQUEST', requestId, stream: st.id, track: ref.track, number: ref.number });
    }).finally(() => { n.outstanding--; });
  }

  /**
   * What `name` must be: its signed length and SHA-256 (signed streams), or its published SHA-256
   * (unsigned streams); the list is fetched again when it does not know the name yet. Null when
   * there is nothing trustworthy to check it against.
   * @param {StreamState} st @param {string} name
   * @returns {Promise<{length: number | undefined, sha256: string} | null>}
   */
  async expected(st, name) {
    if (st.signed) {
      if (!st.trusted.has(name)) await this.refreshSignatures(st);
      return st.trusted.get(name) ?? null;
    }
    if (!st.hashes.has(name)) await this.refreshHashes(st);
    const sha256 = st.hashes.get(name);
    return sha256 ? { length: undefined, sha256 } : null;
  }

  /**
   * Whether `data` is what the Media Server published as `name`.
   * @param {StreamState} st @param {string} name @param {Uint8Array} data
   */
  async verify(st, name, data) {
    const expected = await this.expected(st, name);
    if (!expected || (expected.length !== undefined && data.length !== expected.length)) return false;
    const digest = new Uint8Array(await this.subtle.digest('SHA-256', data));
    return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') === expected.sha256;
  }

  /** Fetches signatures.json and keeps the entries whose signatures verify (new ones only). @param {StreamState} st */
  refreshSignatures(st) {
    st.signaturesLoading ??= (async () => {
      try {
        const verifier = await /** @type {Promise<import('./integrity.js').SegmentVerifier>} */ (st.verifier);
        const r = await this.fetch(st.signaturesUrl, { cache: 'no-store' });
        if (!r.ok) return;
        const text = await r.text();
        if (text.length > 1 << 20) return;
        const root = JSON.parse(text);
        if (root === null || typeof root !== 'object' || Array.isArray(root)) return;
        for (const [name, value] of Object.entries(root)) {
          if (st.trusted.has(name)) continue;
          const ref = refFromFileName(st.id, name);
          if (!ref) continue;
          let entry;
          try { entry = parseEntry(value); } catch { continue; }
          if (await verifier.verify(ref, entry)) st.trusted.set(name, { length: entry.length, sha256: entry.sha256 });
        }
        if (st.trusted.size > 4 * this.windowSegments) {
          const keep = new Set([...st.trusted.keys()].slice(-2 * this.windowSegments));
          for (const k of st.trusted.keys()) if (!keep.has(k) && k.startsWith('chunk-')) st.trusted.delete(k);
        }
      } catch { /* a bad or unreachable list: nothing new is trusted */ } finally {
        st.signaturesLoading = null;
      }
    })();
    return st.signaturesLoading;
  }

  /** @param {StreamState} st */
  refreshHashes(st) {
    st.hashesLoading ??= (async () => {
      try {
        const r = await this.fetch(st.hashesUrl, { cache: 'no-store' });
        if (r.ok) for (const [k, v] of Object.entries(await r.json())) if (typeof v === 'string') st.hashes.set(k, v);
        if (st.hashes.size > 4 * this.windowSegments) {
          const live = new Set([...st.hashes.keys()].slice(-2 * this.windowSegments));
          for (const k of st.hashes.keys()) if (!live.has(k) && k.startsWith('chunk-')) st.hashes.delete(k);
        }
      } finally {
        st.hashesLoading = null;
      }
    })();
    return st.hashesLoading;
  }

  /** Resolves when a neighbour's holdings change, or at `untilMs`. @param {number} untilMs */
  changed(untilMs) {
    return new Promise((resolve) => {
      const done = () => { this.waiters.delete(done); this.clearTimeout(timer); resolve(undefined); };
      const timer = this.setTimeout(done, Math.max(0, untilMs - this.now()));
      this.waiters.add(done);
    });
  }

  notify() { for (const w of [...this.waiters]) w(); }

  openNeighbours() { return [...this.neighbours].filter(([, n]) => n.link.isOpen); }

  /** @param {{id: string, superPeer: boolean}[]} peers */
  connectTo(peers) {
    for (const p of peers) {
      if (this.closed || this.neighbours.size >= this.targetNeighbours) return;
      if (p.id === this.signaling.peerId || this.neighbours.has(p.id) || this.blocked.has(p.id)) continue;
      this.addNeighbour(p.id, p.superPeer, true);
    }
  }

  /** @param {{from?: string, kind: string, sdp?: string, candidate?: any}} m */
  onSignal(m) {
    if (!m.from || this.blocked.has(m.from)) return;
    let n = this.neighbours.get(m.from);
    if (!n && m.kind === 'offer' && this.neighbours.size < this.maxNeighbours && !this.closed) {
      // Whoever offers is a viewer: the super-peer never offers.
      n = this.addNeighbour(m.from, false, false);
    }
    n?.link.handleSignal(m);
  }

  /** @param {string} id @param {boolean} superPeer @param {boolean} initiator */
  addNeighbour(id, superPeer, initiator) {
    const link = new PeerLink({
      id, superPeer, initiator,
      RTCPeerConnection: this.o.RTCPeerConnection,
      rtcConfig: this.o.rtcConfig ?? {},
      sendSignal: (kind, body) => this.signaling.signal(id, kind, body),
      setTimeout: this.setTimeout, clearTimeout: this.clearTimeout,
    });
    /** @type {Neighbour} */
    const n = { link, superPeer, have: new Map(), outstanding: 0, pending: new Map() };
    this.neighbours.set(id, n);
    link.addEventListener('open', () => {
      for (const st of this.streams.values()) link.send(this.haveMessage(st));
      this.dispatchEvent(new CustomEvent('neighbour', { detail: { id, superPeer, open: true } }));
      this.notify();
    });
    link.addEventListener('message', (e) => this.onWire(id, n, /** @type {CustomEvent} */ (e).detail));
    link.addEventListener('close', () => {
      this.neighbours.delete(id);
      for (const p of n.pending.values()) p.reject(new Error(`peer ${id} disconnected`));
      n.pending.clear();
      this.dispatchEvent(new CustomEvent('neighbour', { detail: { id, superPeer, open: false } }));
      this.notify();
    });
    return n;
  }

  /** @param {string} id @param {Neighbour} n @param {import('./wire.js').WireMessage} m */
  onWire(id, n, m) {
    switch (m.type) {
      case 'HAVE':
        if (!this.streams.has(m.stream)) return;
        n.have.set(m.stream, new Set(m.held.map((h) => fileName(h.track, h.number))));
        this.notify();
        return;
      case 'ACK':
        this.dispatchEvent(new CustomEvent('ack', { detail: { peer: id, number: m.number, code: m.code, message: m.message } }));
        return;
      case 'PUSH':
        // Only super-peers take contributions; a viewer answers like any message it does not serve.
        if (m.offset === 0) n.link.send({ type: 'ACK', number: m.number, code: WIRE_ERRORS.FORBIDDEN, message: 'not an ingest' });
        return;
      case 'REQUEST': return this.serve(n, m);
      case 'CANCEL': n.link.dropQueued(m.requestId); return;
      case 'DATA': {
        const p = n.pending.get(m.requestId);
        if (!p) return; // cancelled or timed out: late chunks are expected
        if (p.assembler.received === 0 && p.expectedLength !== undefined && m.totalLength !== p.expectedLength) {
          n.pending.delete(m.requestId);
          p.reject(new Error(`peer ${id} announced ${m.totalLength} bytes, the signed length is ${p.expectedLength}`));
          this.punish(id, n, '', 'wrong-length', p.stream);
          return;
        }
        try {
          if (p.assembler.accept(m)) { n.pending.delete(m.requestId); p.resolve(p.assembler.segment()); }
        } catch (e) {
          n.pending.delete(m.requestId);
          p.reject(/** @type {Error} */ (e));
          n.link.close(`protocol violation: ${/** @type {Error} */ (e).message}`);
        }
        return;
      }
      case 'ERROR': {
        const p = n.pending.get(m.requestId);
        if (p) { n.pending.delete(m.requestId); p.reject(new Error(`peer ${id}: ${m.message || m.code}`)); }
        return;
      }
    }
  }

  /** @param {Neighbour} n @param {{requestId: number, stream: string, track: string, number: number}} m */
  serve(n, m) {
    const entry = this.streams.get(m.stream)?.cache.get(fileName(m.track, m.number));
    if (!entry) return void n.link.send({ type: 'ERROR', requestId: m.requestId, code: WIRE_ERRORS.NOT_FOUND, message: 'not held' });
    // The link queues what the channel cannot take yet; a neighbour that already has several
    // segments queued gets BUSY instead of an ever longer queue.
    if (n.link.queue.length >= this.maxQueuedChunks) return void n.link.send({ type: 'ERROR', requestId: m.requestId, code: WIRE_ERRORS.BUSY, message: 'busy' });
    for (const chunk of split(m.requestId, entry.data)) n.link.send(chunk);
    this.uploaded += entry.data.length;
  }

  /**
   * Totals, and per stream the bytes by source and the share that came from other viewers.
   * @returns {{peers: number, bytes: {peer: number, superPeer: number, http: number}, uploaded: number, p2pRatio: number,
   *   streams: Record<string, {bytes: {peer: number, superPeer: number, http: number}, p2pRatio: number}>}}
   */
  stats() {
    const ratio = (/** @type {{peer: number, superPeer: number, http: number}} */ b) => {
      const total = b.peer + b.superPeer + b.http;
      return total ? b.peer / total : 0;
    };
    /** @type {Record<string, {bytes: {peer: number, superPeer: number, http: number}, p2pRatio: number}>} */
    const streams = {};
    for (const st of this.streams.values()) streams[st.id] = { bytes: { ...st.bytes }, p2pRatio: ratio(st.bytes) };
    return { peers: this.openNeighbours().length, bytes: { ...this.bytes }, uploaded: this.uploaded, p2pRatio: ratio(this.bytes), streams };
  }

  close() {
    this.closed = true;
    if (this.topUpTimer) this.clearTimeout(this.topUpTimer);
    for (const n of [...this.neighbours.values()]) n.link.close('loader closed');
    this.notify();
  }
}
