// @ts-check
/**
 * The Content Loader: decides, for every segment the player needs, which neighbour serves it or
 * whether to use HTTP; verifies the SHA-256 the Media Server published for every segment, from
 * peers and from HTTP alike, before handing it to the player or offering it to others; keeps a
 * window of recent segments and serves them to neighbours; reports what it holds to the Tracker.
 *
 * Events: `neighbour` (detail: {id, superPeer, open}), `segment` (detail: {fileName, source, bytes}),
 * `bad-segment` (detail: {fileName, peer}).
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

/**
 * @typedef {{
 *   link: PeerLink, superPeer: boolean, have: Set<string>, outstanding: number,
 *   pending: Map<number, {assembler: Assembler, expectedLength: number | undefined, resolve: (b: Uint8Array) => void, reject: (e: Error) => void}>,
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
    this.stream = o.stream;
    this.base = new URL(o.stream.manifestUrl, o.baseUrl);
    this.hashesUrl = new URL(o.stream.hashesUrl, o.baseUrl).href;
    this.fetch = o.fetch ?? globalThis.fetch.bind(globalThis);
    this.subtle = o.subtle ?? globalThis.crypto.subtle;
    this.now = o.now ?? Date.now;
    // A signed stream (docs/protocol.md §6): segments are checked against the Media Server's
    // Ed25519-signed statements, and a segment without one is never taken from peers.
    this.signed = Boolean(o.stream.publicKey && o.stream.signaturesUrl);
    this.signaturesUrl = this.signed ? new URL(/** @type {string} */ (o.stream.signaturesUrl), o.baseUrl).href : '';
    /** @type {Promise<import('./integrity.js').SegmentVerifier> | null} */
    this.verifier = this.signed ? createVerifier(this.subtle, /** @type {string} */ (o.stream.publicKey)) : null;
    /** @type {Map<string, {length: number, sha256: string}>} verified statements by file name */
    this.trusted = new Map();
    /** @type {Promise<void> | null} */ this.signaturesLoading = null;
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
    /** @type {Map<string, {data: Uint8Array, source: Source}>} verified segments by file name, oldest first */
    this.cache = new Map();
    /** @type {Map<string, string>} */ this.hashes = new Map();
    /** @type {Promise<void> | null} */ this.hashesLoading = null;
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

  async rejoin() {
    try {
      const joined = await this.signaling.join(this.stream.id);
      this.connectTo(joined.peers);
      this.reportState();
      this.dispatchEvent(new CustomEvent('rejoined', { detail: { peerId: this.signaling.peerId } }));
    } catch { /* dropped again: the next reconnect rejoins */ }
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
      if (this.openNeighbours().length < this.targetNeighbours) this.signaling.requestPeers(this.stream.id, this.targetNeighbours);
      this.topUpTimer = this.setTimeout(topUp, 3000);
    };
    this.topUpTimer = this.setTimeout(topUp, 3000);
  }

  /** Whether `url` is a segment of this loader's stream. @param {string} url */
  handles(url) { return this.refOf(url) !== null; }

  /** @param {string} url */
  refOf(url) {
    const u = new URL(url, this.base);
    const dir = this.base.pathname.slice(0, this.base.pathname.lastIndexOf('/') + 1);
    if (u.origin !== this.base.origin || !u.pathname.startsWith(dir)) return null;
    const name = u.pathname.slice(dir.length);
    const ref = parseFileName(name);
    return ref ? { ...ref, name } : null;
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
    if (!ref) throw new Error(`not a segment of stream ${this.stream.id}: ${url}`);
    const cached = this.cache.get(ref.name);
    if (cached) return cached; // the player asked again (a retry, a seek): no new bytes moved
    /** @type {Set<string>} peers that failed this segment */
    const failed = new Set();
    // Without a statement we can check, a peer's bytes are worth nothing: HTTP only.
    const expected = await this.expected(ref.name);
    const p2p = expected !== null;
    for (;;) {
      if (abort.aborted) throw new Error('aborted');
      const nowMs = this.now();
      const decision = chooseSource({
        segment: { stream: this.stream.id, track: ref.track, number: ref.number },
        nowMs,
        deadlineMs,
        neighbours: (p2p ? this.openNeighbours() : []).map(([id, n]) => ({ id, superPeer: n.superPeer, holds: n.have.has(ref.name), outstanding: n.outstanding, failures: failed.has(id) ? 1 : 0 })),
      }, this.schedulerConfig);
      if (decision.action === 'PEER') {
        const n = /** @type {Neighbour} */ (this.neighbours.get(decision.peer));
        try {
          const data = await this.requestFrom(decision.peer, n, ref, Math.min(5000, Math.max(1000, deadlineMs - nowMs)), expected?.length);
          if (await this.verify(ref.name, data)) return this.accept(ref.name, data, n.superPeer ? 'superPeer' : 'peer');
          this.punish(decision.peer, n, ref.name, 'bad-segment');
        } catch { /* timed out, refused, disconnected or cut: try elsewhere */ }
        failed.add(decision.peer);
      } else if (decision.action === 'WAIT') {
        await this.changed(decision.untilMs);
      } else {
        const response = await this.fetch(url);
        if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
        const data = new Uint8Array(await response.arrayBuffer());
        if (!(await this.verify(ref.name, data))) throw new Error(`segment ${ref.name} from HTTP does not match its hash`);
        return this.accept(ref.name, data, 'http');
      }
    }
  }

  /**
   * A neighbour sent bytes that fail verification: cut it at once and report it to the Tracker.
   * @param {string} id @param {Neighbour} n @param {string} name @param {string} reason
   */
  punish(id, n, name, reason) {
    this.blocked.add(id);
    this.dispatchEvent(new CustomEvent('bad-segment', { detail: { fileName: name, peer: id } }));
    n.link.close(`sent a bad segment (${reason})`);
    this.signaling.report(id, this.stream.id, reason);
  }

  /** @param {string} name @param {Uint8Array} data @param {Source} source */
  accept(name, data, source) {
    this.bytes[source] += data.length;
    if (!this.cache.has(name)) {
      this.cache.set(name, { data, source });
      this.evict();
      this.announce();
    }
    this.dispatchEvent(new CustomEvent('segment', { detail: { fileName: name, source, bytes: data.length } }));
    return { data, source };
  }

  evict() {
    const media = [...this.cache.keys()].filter((k) => k.startsWith('chunk-'));
    for (const k of media.slice(0, Math.max(0, media.length - this.windowSegments))) this.cache.delete(k);
  }

  /** Sends HAVE to every open neighbour and the new state to the Tracker. */
  announce() {
    const have = this.haveMessage();
    for (const [, n] of this.openNeighbours()) n.link.send(have);
    this.reportState();
  }

  haveMessage() {
    const held = [...this.cache.keys()].map((k) => /** @type {{track: string, number: number}} */ (parseFileName(k)));
    return /** @type {import('./wire.js').WireMessage} */ ({ type: 'HAVE', stream: this.stream.id, held });
  }

  reportState() {
    const numbers = [...this.cache.keys()].map((k) => /** @type {any} */ (parseFileName(k)).number).filter((x) => x !== INIT);
    this.signaling.setState({
      streams: [{ stream: this.stream.id, segments: numbers.length, newest: numbers.length ? Math.max(...numbers) : -1 }],
      // What the Tracker needs to know: whether handing this peer to a newcomer can work.
      uploadSlots: Math.max(0, this.maxNeighbours - this.neighbours.size),
    });
  }

  /**
   * @param {string} id @param {Neighbour} n @param {{track: string, number: number, name: string}} ref @param {number} timeoutMs
   * @param {number | undefined} expectedLength the signed length: a first chunk announcing another is refused
   * @returns {Promise<Uint8Array>}
   */
  requestFrom(id, n, ref, timeoutMs, expectedLength) {
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
        resolve: (b) => { this.clearTimeout(timer); resolve(b); },
        reject: (e) => { this.clearTimeout(timer); reject(e); },
      });
      n.link.send({ type: 'REQUEST', requestId, stream: this.stream.id, track: ref.track, number: ref.number });
    }).finally(() => { n.outstanding--; });
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

  /**
   * Whether `data` is what the Media Server published as `name`.
   * @param {string} name @param {Uint8Array} data
   */
  async verify(name, data) {
    const expected = await this.expected(name);
    if (!expected || (expected.length !== undefined && data.length !== expected.length)) return false;
    const digest = new Uint8Array(await this.subtle.digest('SHA-256', data));
    return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') === expected.sha256;
  }

  /** Fetches signatures.json and keeps the entries whose signatures verify (new ones only). */
  refreshSignatures() {
    this.signaturesLoading ??= (async () => {
      try {
        const verifier = await /** @type {Promise<import('./integrity.js').SegmentVerifier>} */ (this.verifier);
        const r = await this.fetch(this.signaturesUrl, { cache: 'no-store' });
        if (!r.ok) return;
        const text = await r.text();
        if (text.length > 1 << 20) return;
        const root = JSON.parse(text);
        if (root === null || typeof root !== 'object' || Array.isArray(root)) return;
        for (const [name, value] of Object.entries(root)) {
          if (this.trusted.has(name)) continue;
          const ref = refFromFileName(this.stream.id, name);
          if (!ref) continue;
          let entry;
          try { entry = parseEntry(value); } catch { continue; }
          if (await verifier.verify(ref, entry)) this.trusted.set(name, { length: entry.length, sha256: entry.sha256 });
        }
        if (this.trusted.size > 4 * this.windowSegments) {
          const keep = new Set([...this.trusted.keys()].slice(-2 * this.windowSegments));
          for (const k of this.trusted.keys()) if (!keep.has(k) && k.startsWith('chunk-')) this.trusted.delete(k);
        }
      } catch { /* a bad or unreachable list: nothing new is trusted */ } finally {
        this.signaturesLoading = null;
      }
    })();
    return this.signaturesLoading;
  }

  refreshHashes() {
    this.hashesLoading ??= (async () => {
      try {
        const r = await this.fetch(this.hashesUrl, { cache: 'no-store' });
        if (r.ok) for (const [k, v] of Object.entries(await r.json())) if (typeof v === 'string') this.hashes.set(k, v);
        if (this.hashes.size > 4 * this.windowSegments) {
          const live = new Set([...this.hashes.keys()].slice(-2 * this.windowSegments));
          for (const k of this.hashes.keys()) if (!live.has(k) && k.startsWith('chunk-')) this.hashes.delete(k);
        }
      } finally {
        this.hashesLoading = null;
      }
    })();
    return this.hashesLoading;
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
    const n = { link, superPeer, have: new Set(), outstanding: 0, pending: new Map() };
    this.neighbours.set(id, n);
    link.addEventListener('open', () => {
      link.send(this.haveMessage());
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
        if (m.stream !== this.stream.id) return;
        n.have = new Set(m.held.map((h) => fileName(h.track, h.number)));
        this.notify();
        return;
      case 'REQUEST': return this.serve(n, m);
      case 'CANCEL': n.link.dropQueued(m.requestId); return;
      case 'DATA': {
        const p = n.pending.get(m.requestId);
        if (!p) return; // cancelled or timed out: late chunks are expected
        if (p.assembler.received === 0 && p.expectedLength !== undefined && m.totalLength !== p.expectedLength) {
          n.pending.delete(m.requestId);
          p.reject(new Error(`peer ${id} announced ${m.totalLength} bytes, the signed length is ${p.expectedLength}`));
          this.punish(id, n, '', 'wrong-length');
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
    const entry = m.stream === this.stream.id ? this.cache.get(fileName(m.track, m.number)) : undefined;
    if (!entry) return void n.link.send({ type: 'ERROR', requestId: m.requestId, code: WIRE_ERRORS.NOT_FOUND, message: 'not held' });
    // The link queues what the channel cannot take yet; a neighbour that already has several
    // segments queued gets BUSY instead of an ever longer queue.
    if (n.link.queue.length >= this.maxQueuedChunks) return void n.link.send({ type: 'ERROR', requestId: m.requestId, code: WIRE_ERRORS.BUSY, message: 'busy' });
    for (const chunk of split(m.requestId, entry.data)) n.link.send(chunk);
    this.uploaded += entry.data.length;
  }

  /** @returns {{peers: number, bytes: {peer: number, superPeer: number, http: number}, uploaded: number, p2pRatio: number}} */
  stats() {
    const total = this.bytes.peer + this.bytes.superPeer + this.bytes.http;
    return { peers: this.openNeighbours().length, bytes: { ...this.bytes }, uploaded: this.uploaded, p2pRatio: total ? this.bytes.peer / total : 0 };
  }

  close() {
    this.closed = true;
    if (this.topUpTimer) this.clearTimeout(this.topUpTimer);
    for (const n of [...this.neighbours.values()]) n.link.close('loader closed');
    this.notify();
  }
}
