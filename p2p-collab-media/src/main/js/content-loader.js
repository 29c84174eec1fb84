// @ts-check
/**
 * The Content Loader: decides, for every segment the player needs, which neighbour serves it or
 * whether to use HTTP; verifies every segment, from peers and from HTTP alike, against the
 * Media Server's signed statement that comes with it (docs/protocol.md §2.7) before handing it
 * to the player or offering it to others (with that statement); keeps a
 * window of recent segments and serves them to neighbours; reports what it holds, and who
 * delivered, to the Tracker.
 *
 * One loader serves every stream a page plays — the main stream and each contribution overlaid
 * on it — over the same neighbours: a data channel carries the HAVEs and REQUESTs of all of them.
 * Its parts: {@link StreamState} (a stream's window and integrity), {@link Neighbours} (slots,
 * link lifecycle, blocking), {@link Requests} (asking, and holding neighbours to their claims),
 * and here source choice, serving and reporting.
 *
 * A neighbour that sends a bad segment, breaks the wire protocol, claims a segment it then does
 * not serve, asks far more than it can use (`flooding`) or never drains what it asked for
 * (`not-draining`) is reported to the Tracker (once per peer and visit) and, unless it is the
 * super-peer failing a claim, cut and never connected to again during the visit. A neighbour
 * that is merely slow is not reported: each transfer of its that falls behind is cancelled and
 * asked elsewhere, and after `maxLateStrikes` of them within a minute it is asked for nothing more.
 *
 * Events: `neighbour` (detail: {id, superPeer, open}), `segment` (detail: {stream, fileName,
 * source, bytes, data}), `bad-segment` (detail: {stream, fileName, peer, reason}), `report`
 * (detail: {peer, stream, fileName, reason}: a report sent to the Tracker), `ack` (detail: {peer,
 * number, code, message}: a super-peer's answer to pushed contribution segments), `cut` (detail:
 * {peer, reason}: a neighbour cut for `flooding` or `not-draining`), `late` (detail: {peer,
 * strikes}: a transfer from it fell behind and was cancelled).
 *
 * Threading: browser main thread only; every callback (data channels, signaling, timers) runs there.
 * @module
 */
import { chooseSource, DEFAULT_CONFIG, requestDeadline } from './scheduler.js';
import { LOADER_DEFAULTS } from './loader-limits.js';
import { LoadLog } from './load-log.js';
import { Neighbours } from './neighbours.js';
import { Requests } from './requests.js';
import { Serving } from './serving.js';
import { Verdicts } from './verdicts.js';
import { fileName, parseFileName, statementEntry, StreamState } from './stream-state.js';
import { WIRE_ERRORS } from './wire.js';

export { fileName, parseFileName, STATEMENT_HEADER } from './stream-state.js';
export { LOADER_DEFAULTS } from './loader-limits.js';

/** How long a late strike counts against a neighbour (docs/protocol.md §2.3). */
export const STRIKE_MEMORY_MS = 60_000;

/** @typedef {import('./stream-state.js').Source} Source */
/** @typedef {import('./stream-state.js').StreamInfo} StreamInfo */
/** @typedef {import('./neighbours.js').Neighbour} Neighbour */
/** @typedef {import('./load-log.js').LoadRecord} LoadRecord */

export class ContentLoader extends EventTarget {
  /**
   * @param {{
   *   signaling: import('./signaling.js').SignalingClient,
   *   stream: StreamInfo,
   *   baseUrl: string,
   *   RTCPeerConnection: typeof RTCPeerConnection,
   *   rtcConfig?: RTCConfiguration,
   *   fetch?: typeof fetch,
   *   subtle?: SubtleCrypto,
   *   now?: () => number,
   *   setTimeout?: typeof setTimeout,
   *   clearTimeout?: typeof clearTimeout,
   *   targetNeighbours?: number,
   *   maxNeighbours?: number,
   *   scheduler?: Partial<import('./scheduler.js').SchedulerConfig>,
   * } & import('./loader-limits.js').LoaderLimits} o  `targetNeighbours` (older name of `maxOutbound`) and `maxNeighbours`
   *   (inbound plus outbound: `maxInbound` is what remains of it) are still understood.
   */
  constructor(o) {
    super();
    this.o = o;
    this.signaling = o.signaling;
    this.baseUrl = o.baseUrl;
    this.fetch = o.fetch ?? globalThis.fetch.bind(globalThis);
    this.subtle = o.subtle ?? globalThis.crypto.subtle;
    this.now = o.now ?? Date.now;
    // Wrapped: a browser's setTimeout called as a method of another object throws.
    this.setTimeout = o.setTimeout ?? ((/** @type {() => void} */ fn, /** @type {number} */ ms) => setTimeout(fn, ms));
    this.clearTimeout = o.clearTimeout ?? ((/** @type {any} */ id) => clearTimeout(id));
    const d = LOADER_DEFAULTS;
    this.maxOutbound = o.maxOutbound ?? o.targetNeighbours ?? d.maxOutbound;
    this.maxInbound = o.maxInbound ?? (o.maxNeighbours !== undefined ? Math.max(0, o.maxNeighbours - this.maxOutbound) : d.maxInbound);
    this.windowSegments = o.windowSegments ?? d.windowSegments;
    this.maxQueuedChunks = o.maxQueuedChunks ?? d.maxQueuedChunks;
    this.schedulerConfig = { ...DEFAULT_CONFIG, ...o.scheduler };
    this.slots = new Neighbours({
      signaling: o.signaling, RTCPeerConnection: o.RTCPeerConnection, rtcConfig: o.rtcConfig ?? {},
      setTimeout: this.setTimeout, clearTimeout: this.clearTimeout,
      maxInbound: this.maxInbound, maxOutbound: this.maxOutbound,
      link: { idleMs: o.idleLinkMs ?? d.idleLinkMs, maxQueuedMessages: o.maxQueuedMessages ?? d.maxQueuedMessages, maxQueuedBytes: o.maxQueuedBytes ?? d.maxQueuedBytes },
      onOpen: (id, n) => this.opened(id, n),
      onMessage: (id, n, m) => this.onWire(id, n, m),
      // An unknown type may be a newer protocol's (answered, counted against its budget); any
      // other undecodable message is a violation.
      onBadMessage: (id, n, e) => void (e.code === 'UNKNOWN_TYPE' ? this.serving.refuse(id, n) : this.punish(id, n, '', 'protocol-violation')),
      onClose: (id, n) => this.lost(id, n),
    });
    /** @type {Map<string, Neighbour>} every link, open or being set up */
    this.neighbours = this.slots.map;
    /** @type {Set<string>} peers cut for bad data or lies: never connected again during this visit */
    this.blocked = this.slots.blocked;
    this.verdicts = new Verdicts({ signaling: o.signaling, slots: this.slots, events: this });
    /** @type {Map<string, number[]>} when each peer's transfers fell behind: survives reconnects, forgotten after STRIKE_MEMORY_MS */
    this.strikes = new Map();
    this.requests = new Requests({
      now: this.now, setTimeout: this.setTimeout, clearTimeout: this.clearTimeout,
      evictionMargin: o.evictionMargin ?? d.evictionMargin, scheduler: this.schedulerConfig,
      onBroken: (id, n, stream, name, reason) => (reason === 'not-found' || reason === 'no-answer'
        ? this.verdicts.claimBroken(id, n.superPeer, stream || this.main.id, name, reason)
        : this.verdicts.punish(id, name, reason, stream || this.main.id)),
      onLate: (id) => {
        this.strikes.set(id, [...(this.strikes.get(id) ?? []), this.now()]);
        this.dispatchEvent(new CustomEvent('late', { detail: { peer: id, strikes: this.lateStrikes(id) } }));
      },
      checkStatement: async (stream, name, entry) => (await this.streams.get(stream)?.checkStatement(name, entry)) ?? false,
    });
    this.serving = new Serving({
      now: this.now, budget: o.serving, maxQueuedChunks: this.maxQueuedChunks,
      segment: (stream, name) => this.streams.get(stream)?.servable(name),
      onCut: (id, n, reason) => this.verdicts.cut(id, reason, this.main.id),
    });
    /** @type {Map<string, StreamState>} */ this.streams = new Map();
    this.main = this.addStream(o.stream);
    /** @type {Set<() => void>} */ this.waiters = new Set();
    /** @type {Set<string>} peers that delivered a verified segment since the last state */
    this.deliveredBy = new Set();
    this.bytes = { peer: 0, superPeer: 0, http: 0 };
    this.faults = { late: 0, busy: 0, refused: 0, reported: 0 };
    this.addEventListener('late', () => this.faults.late++);
    this.addEventListener('report', () => this.faults.reported++);
    this.loadLog = new LoadLog();
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
   * @param {StreamInfo} info
   */
  addStream(info) {
    const known = this.streams.get(info.id);
    if (known && known.info.publicKey === info.publicKey && known.info.manifestUrl === info.manifestUrl) return known;
    const st = new StreamState(info, this.baseUrl, this);
    this.streams.set(info.id, st);
    if (info.id === this.o.stream.id) this.main = st;
    // A restarted stream starts empty: neighbours must not go on asking for the old window.
    if (known) for (const [, n] of this.openNeighbours()) n.link.send(st.haveMessage());
    return st;
  }

  /**
   * Adds `info` and joins it: its peers are connected to (up to the limits), its state reported.
   * @param {StreamInfo} info
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
   * The open link to `id`, connecting to it first if need be (even past the outbound cap, and
   * exempt from the idle rule): the super-peer a contribution is uploaded to.
   * @param {string} id @param {boolean} superPeer @param {number} [timeoutMs]
   * @returns {Promise<import('./peer.js').PeerLink>}
   */
  ensureNeighbour(id, superPeer, timeoutMs = 10_000) { return this.slots.ensure(id, superPeer, timeoutMs); }

  /**
   * Starts with the peer list of `joined`; asks for more peers while it has outbound slots free.
   * @param {{id: string, superPeer: boolean}[]} peers
   */
  start(peers) {
    this.connectTo(peers);
    this.reportState();
    const topUp = () => {
      if (this.closed) return;
      this.serving.sweep(this.openNeighbours());
      if (this.slots.outbound < this.maxOutbound) {
        for (const id of this.streams.keys()) this.signaling.requestPeers(id, this.maxOutbound);
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
    const startMs = this.now();
    const record = this.loadLog.start(st.id, ref.name, startMs, deadlineMs);
    try {
      const got = await this.loadFrom(url, st, ref, deadlineMs, abort, record);
      record.source = got.source;
      return got;
    } finally {
      record.tookMs = this.now() - startMs;
    }
  }

  /**
   * @param {string} url @param {StreamState} st @param {{track: string, number: number, name: string}} ref
   * @param {number} deadlineMs @param {{aborted: boolean}} abort @param {LoadRecord} record
   * @returns {Promise<{data: Uint8Array, source: Source}>}
   */
  async loadFrom(url, st, ref, deadlineMs, abort, record) {
    /** @type {Set<string>} peers that failed this segment */
    const failed = new Set();
    // Peers' bytes are worth only what can be checked: a signed stream's statement comes with
    // them (if this page can verify Ed25519), an unsigned stream's hash from the origin's list.
    const expected = await st.expected(ref.name);
    const p2p = st.signed ? await st.canVerify() : expected !== null;
    record.statementMs = this.now() - record.atMs;
    for (;;) {
      if (abort.aborted) throw new Error('aborted');
      const nowMs = this.now();
      const decision = chooseSource({
        segment: { stream: st.id, track: ref.track, number: ref.number },
        nowMs,
        deadlineMs,
        length: expected?.length ?? 0,
        neighbours: (p2p ? this.openNeighbours() : []).map(([id, n]) => ({
          id, superPeer: n.superPeer, holds: n.have.get(st.id)?.has(ref.name) ?? false, outstanding: n.outstanding,
          failures: failed.has(id) ? 1 : 0, lateStrikes: this.lateStrikes(id), bytesPerSecond: Math.round(n.bytesPerSecond),
        })),
      }, this.schedulerConfig);
      if (decision.action === 'PEER') {
        const n = /** @type {Neighbour} */ (this.neighbours.get(decision.peer));
        const attempt = { peer: decision.peer, superPeer: n.superPeer, ms: -1, outcome: 'ok' };
        record.tries.push(attempt);
        try {
          const until = requestDeadline({ nowMs, deadlineMs }, this.schedulerConfig);
          const { data, statement } = await this.requests.request(decision.peer, n, st.id, ref, until, expected?.length, st.signed);
          attempt.ms = this.now() - nowMs;
          if (await st.verify(ref.name, data, statement)) return this.accept(st, ref.name, data, n.superPeer ? 'superPeer' : 'peer', decision.peer, statement);
          attempt.outcome = 'bad-segment';
          this.punish(decision.peer, n, ref.name, 'bad-segment', st.id);
        } catch (e) {
          // timed out, refused, disconnected or cut: try elsewhere
          attempt.ms = this.now() - nowMs;
          attempt.outcome = /** @type {Error} */ (e).message;
        }
        failed.add(decision.peer);
      } else if (decision.action === 'WAIT') {
        const waitFrom = this.now();
        await this.changed(decision.untilMs);
        record.waitedMs += this.now() - waitFrom;
      } else {
        const attempt = { peer: 'http', superPeer: false, ms: -1, outcome: 'ok' };
        record.tries.push(attempt);
        const fail = (/** @type {string} */ why) => { attempt.ms = this.now() - nowMs; attempt.outcome = why; return new Error(why); };
        let got;
        try { got = await st.fromOrigin(url, ref.name); } catch (e) { throw fail(/** @type {Error} */ (e).message); }
        attempt.ms = this.now() - nowMs;
        return this.accept(st, ref.name, got.data, 'http', undefined, got.statement);
      }
    }
  }

  /**
   * A neighbour sent bad data (`bad-segment`, `wrong-length`, `protocol-violation`): see verdicts.js.
   * @param {string} id @param {Neighbour} n @param {string} name @param {string} reason @param {string} [stream]
   */
  punish(id, n, name, reason, stream = this.main.id) { this.verdicts.punish(id, name, reason, stream); }

  /**
   * @param {StreamState} st @param {string} name @param {Uint8Array} data @param {Source} source
   * @param {string} [peer] the neighbour it came from
   * @param {import('./integrity.js').SegmentSignature | null} [statement] what it is served on with (signed streams)
   */
  accept(st, name, data, source, peer, statement = null) {
    this.bytes[source] += data.length;
    st.bytes[source] += data.length;
    if (peer !== undefined) this.deliveredBy.add(peer);
    if (!st.cache.has(name) && this.streams.get(st.id) === st) {
      st.cache.set(name, { data, source, statement });
      st.evict();
      this.announce(st);
    }
    this.dispatchEvent(new CustomEvent('segment', { detail: { stream: st.id, fileName: name, source, bytes: data.length, data } }));
    return { data, source };
  }

  /** Sends HAVE to every open neighbour and the new state to the Tracker. @param {StreamState} st */
  announce(st) {
    const have = st.haveMessage();
    for (const [, n] of this.openNeighbours()) n.link.send(have);
    this.reportState();
  }

  reportState() {
    // Who proved to be a source since the last state (the Coordinator prefers proven sources).
    // The signaling client names each once, at most MAX_SERVED_BY (signaling-codec.js) per state.
    const servedBy = [...this.deliveredBy];
    this.deliveredBy.clear();
    this.signaling.setState({
      streams: [...this.streams.values()].map((st) => st.holding()),
      // What the Tracker needs to know: whether handing this peer to a newcomer can work.
      uploadSlots: Math.max(0, this.maxInbound - this.slots.inbound),
      servedBy,
    });
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

  openNeighbours() { return this.slots.open(); }

  /** @param {{id: string, superPeer: boolean}[]} peers */
  connectTo(peers) { this.slots.connectTo(peers); }

  /** @param {{from?: string, kind: string, sdp?: string, candidate?: any}} m */
  onSignal(m) { this.slots.onSignal(m); }

  /** @param {string} id @param {Neighbour} n */
  opened(id, n) {
    for (const st of this.streams.values()) n.link.send(st.haveMessage());
    this.dispatchEvent(new CustomEvent('neighbour', { detail: { id, superPeer: n.superPeer, open: true } }));
    this.notify();
  }

  /** @param {string} id @param {Neighbour} n */
  lost(id, n) {
    this.requests.closed(id, n);
    this.dispatchEvent(new CustomEvent('neighbour', { detail: { id, superPeer: n.superPeer, open: false } }));
    this.notify();
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
      case 'REQUEST': return this.serve(n, m, id);
      case 'CANCEL': n.link.dropQueued(m.requestId); return;
      case 'DATA': return this.requests.onData(id, n, m);
      case 'STATEMENT': return this.requests.onStatement(id, n, m, statementEntry);
      case 'ERROR':
        if (m.code === WIRE_ERRORS.BUSY) this.faults.busy++;
        return this.requests.onError(id, n, m, WIRE_ERRORS.NOT_FOUND);
    }
  }

  /**
   * Answers a neighbour's REQUEST within its serving budget (serving.js).
   * @param {Neighbour} n @param {{requestId: number, stream: string, track: string, number: number}} m @param {string} id
   */
  serve(n, m, id) { this.serving.serve(id, n, m); }

  /**
   * How many of `id`'s transfers fell behind in the last STRIKE_MEMORY_MS (60 s): at 2 the
   * scheduler asks it for nothing more. Strikes are forgotten, not cleared: a neighbour slow in
   * bursts must not clear them by serving a small segment on time, and an honest one that once
   * hiccuped is asked again a minute later.
   * @param {string} id
   */
  lateStrikes(id) {
    const since = this.now() - STRIKE_MEMORY_MS;
    const recent = (this.strikes.get(id) ?? []).filter((t) => t > since);
    if (recent.length > 0) this.strikes.set(id, recent); else this.strikes.delete(id);
    return recent.length;
  }

  /**
   * The latest loads (load-log.js), oldest first: for each, when it was asked for, how far ahead
   * playback needed it, how long it took, where it came from and every neighbour tried on the
   * way. What to read when a viewer stalled.
   * @returns {LoadRecord[]}
   */
  recentLoads() { return this.loadLog.recent(); }

  /** Segment bytes sent to neighbours. */
  get uploaded() { return this.serving.uploaded; }

  /**
   * Totals, and per stream the bytes by source and the share that came from other viewers.
   * `neighbourFaults`: transfers cancelled for falling behind (`late`), BUSY answers received
   * (`busy`) and sent (`refused`), and neighbours reported (`reported`), since the page opened.
   * @returns {{peers: number, bytes: {peer: number, superPeer: number, http: number}, uploaded: number, p2pRatio: number,
   *   streams: Record<string, {bytes: {peer: number, superPeer: number, http: number}, p2pRatio: number}>,
   *   neighbourFaults: {late: number, busy: number, refused: number, reported: number}}}
   */
  stats() {
    const ratio = (/** @type {{peer: number, superPeer: number, http: number}} */ b) => {
      const total = b.peer + b.superPeer + b.http;
      return total ? b.peer / total : 0;
    };
    /** @type {Record<string, {bytes: {peer: number, superPeer: number, http: number}, p2pRatio: number}>} */
    const streams = {};
    for (const st of this.streams.values()) streams[st.id] = { bytes: { ...st.bytes }, p2pRatio: ratio(st.bytes) };
    return {
      peers: this.openNeighbours().length, bytes: { ...this.bytes }, uploaded: this.uploaded, p2pRatio: ratio(this.bytes), streams,
      neighbourFaults: { ...this.faults, refused: this.serving.refused },
    };
  }

  close() {
    this.closed = true;
    if (this.topUpTimer) this.clearTimeout(this.topUpTimer);
    this.slots.closeAll('loader closed');
    this.notify();
  }
}
