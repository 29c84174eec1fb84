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
 *   pending: Map<number, {assembler: Assembler, resolve: (b: Uint8Array) => void, reject: (e: Error) => void}>,
 * }} Neighbour
 */

export class ContentLoader extends EventTarget {
  /**
   * @param {{
   *   signaling: import('./signaling.js').SignalingClient,
   *   stream: {id: string, manifestUrl: string, hashesUrl: string},
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
    // Wrapped: a browser's setTimeout called as a method of another object throws.
    this.setTimeout = o.setTimeout ?? ((/** @type {() => void} */ fn, /** @type {number} */ ms) => setTimeout(fn, ms));
    this.clearTimeout = o.clearTimeout ?? ((/** @type {any} */ id) => clearTimeout(id));
    this.maxNeighbours = o.maxNeighbours ?? 8;
    this.targetNeighbours = o.targetNeighbours ?? 4;
    this.windowSegments = o.windowSegments ?? 60;
    this.maxQueuedChunks = o.maxQueuedChunks ?? 256;
    this.schedulerConfig = o.scheduler ?? DEFAULT_CONFIG;
    /** @type {Map<string, Neighbour>} */ this.neighbours = new Map();
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
    for (;;) {
      if (abort.aborted) throw new Error('aborted');
      const nowMs = this.now();
      const decision = chooseSource({
        segment: { stream: this.stream.id, track: ref.track, number: ref.number },
        nowMs,
        deadlineMs,
        neighbours: this.openNeighbours().map(([id, n]) => ({ id, superPeer: n.superPeer, holds: n.have.has(ref.name), outstanding: n.outstanding, failures: failed.has(id) ? 1 : 0 })),
      }, this.schedulerConfig);
      if (decision.action === 'PEER') {
        const n = /** @type {Neighbour} */ (this.neighbours.get(decision.peer));
        try {
          const data = await this.requestFrom(decision.peer, n, ref, Math.min(5000, Math.max(1000, deadlineMs - nowMs)));
          if (await this.verify(ref.name, data)) return this.accept(ref.name, data, n.superPeer ? 'superPeer' : 'peer');
          this.dispatchEvent(new CustomEvent('bad-segment', { detail: { fileName: ref.name, peer: decision.peer } }));
          n.link.close('sent a segment that does not match its hash');
        } catch { /* timed out, refused or disconnected: try elsewhere */ }
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
   * @returns {Promise<Uint8Array>}
   */
  requestFrom(id, n, ref, timeoutMs) {
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
        resolve: (b) => { this.clearTimeout(timer); resolve(b); },
        reject: (e) => { this.clearTimeout(timer); reject(e); },
      });
      n.link.send({ type: 'REQUEST', requestId, stream: this.stream.id, track: ref.track, number: ref.number });
    }).finally(() => { n.outstanding--; });
  }

  /**
   * Whether `data` has the SHA-256 the Media Server published for `name`; the hash list is
   * fetched again when it does not know the name yet.
   * @param {string} name @param {Uint8Array} data
   */
  async verify(name, data) {
    if (!this.hashes.has(name)) await this.refreshHashes();
    const expected = this.hashes.get(name);
    if (!expected) return false;
    const digest = new Uint8Array(await this.subtle.digest('SHA-256', data));
    return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') === expected;
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
      if (p.id === this.signaling.peerId || this.neighbours.has(p.id)) continue;
      this.addNeighbour(p.id, p.superPeer, true);
    }
  }

  /** @param {{from?: string, kind: string, sdp?: string, candidate?: any}} m */
  onSignal(m) {
    if (!m.from) return;
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
