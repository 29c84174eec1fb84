// @ts-check
/**
 * Connection API, part 1: the signaling client. One WebSocket to the Coordinator: registers
 * (`hello` → `welcome`), joins a stream, reports this peer's state when it changes and at least
 * every heartbeat without being asked, and relays SDP/ICE to other peers by ID.
 *
 * Events (CustomEvent, message object in `detail`): `signal`, `peers`, `peer-left`, `error`
 * (a refused message, or a decode failure), `disconnected` (the socket dropped; it reconnects),
 * `reconnected` (registered again, under a new peer ID: detail is the `welcome`), and `close`
 * (terminal: after `close()`, or when reconnecting is off).
 *
 * Reconnection: when the socket drops (the Coordinator restarted, the network blinked), the client
 * opens a new one after a jittered exponential back-off (about 0.25 s, 0.5 s, 1 s … up to 8 s,
 * each drawn between half and all of that) and registers again. Data channels to neighbours do
 * not depend on signaling and keep working meanwhile.
 * @module
 */
import { decode, encode, MAX_SERVED_BY, SignalingError } from './signaling-codec.js';

/**
 * @typedef {{
 *   WebSocket?: typeof WebSocket,
 *   setInterval?: typeof setInterval,
 *   clearInterval?: typeof clearInterval,
 *   setTimeout?: (fn: () => void, ms: number) => any,
 *   random?: () => number,
 *   reconnect?: boolean,
 *   role?: 'viewer' | 'super-peer',
 *   token?: string,
 * }} SignalingOptions
 */

/** Back-off before reconnect attempt `n` (0-based), before jitter. */
export function backoffMs(n) { return Math.min(8000, 250 * 2 ** n); }

export class SignalingClient extends EventTarget {
  /** @param {string} url @param {SignalingOptions} [options] */
  constructor(url, options = {}) {
    super();
    this.url = url;
    this.options = options;
    /** @type {WebSocket | null} */ this.socket = null;
    /** @type {string | null} */ this.peerId = null;
    /** @type {any} */ this.welcome = null;
    /** @type {{streams: {stream: string, segments: number, newest: number}[], uploadSlots: number} | null} */ this.state = null;
    /** @type {Set<string>} peers that delivered a verified segment, not yet named in a state sent */
    this.servedBy = new Set();
    /** @type {Set<string>} the peers named in the last state sent */
    this.lastServedBy = new Set();
    /** @type {string | null} the last state sent, without servedBy */ this.lastHoldings = null;
    /** @type {Map<string, {resolve: (m: any) => void, reject: (e: any) => void}>} replies awaited, by type */
    this.pending = new Map();
    this.heartbeat = /** @type {any} */ (null);
    this.closed = false;
    this.attempts = 0;
  }

  /**
   * Opens the socket and registers.
   * @returns {Promise<any>} the `welcome` message
   */
  connect() {
    return this.open().then((w) => {
      const every = Math.max(100, w.heartbeatMs);
      this.heartbeat = (this.options.setInterval ?? setInterval)(() => this.sendState(true), every);
      return w;
    });
  }

  /** @returns {Promise<any>} */
  open() {
    const WS = this.options.WebSocket ?? globalThis.WebSocket;
    const socket = new WS(this.url);
    this.socket = socket;
    const welcome = this.expect('welcome');
    socket.onopen = () => this.send({ type: 'hello', role: this.options.role ?? 'viewer', token: this.options.token });
    socket.onmessage = (e) => { if (this.socket === socket) this.receive(e.data); };
    socket.onclose = () => { if (this.socket === socket) this.dropped(); };
    socket.onerror = () => { /* a close event follows */ };
    return welcome.then((w) => {
      this.peerId = w.peerId;
      this.welcome = w;
      this.attempts = 0;
      this.lastHoldings = null; // the new registration knows nothing yet
      this.sendState(true);
      return w;
    });
  }

  /** The socket closed without close(): reconnect, or end if reconnecting is off. */
  dropped() {
    if (this.closed) return;
    if (this.options.reconnect === false || this.welcome === null) {
      this.terminate('socket closed');
      return;
    }
    for (const w of this.pending.values()) w.reject(new Error('signaling disconnected'));
    this.pending.clear();
    if (this.peerId === null) return; // a reconnect attempt failed: its own handler retries
    this.peerId = null;
    this.dispatchEvent(new CustomEvent('disconnected'));
    this.retry();
  }

  retry() {
    const jitter = 0.5 + 0.5 * (this.options.random ?? Math.random)();
    const delay = backoffMs(this.attempts++) * jitter;
    (this.options.setTimeout ?? ((/** @type {() => void} */ f, /** @type {number} */ ms) => setTimeout(f, ms)))(() => {
      if (this.closed) return;
      this.open().then(
        (w) => this.dispatchEvent(new CustomEvent('reconnected', { detail: w })),
        () => { if (!this.closed) this.retry(); },
      );
    }, delay);
  }

  /**
   * Joins a stream.
   * @param {string} stream
   * @returns {Promise<{stream: any, peers: {id: string, superPeer: boolean}[]}>}
   */
  join(stream) {
    const joined = this.expect('joined');
    this.send({ type: 'join', stream });
    return joined;
  }

  /** Asks for a fresh peer list; the answer arrives as a `peers` event. @param {string} stream @param {number} [max] */
  requestPeers(stream, max) { this.send({ type: 'peers', stream, max }); }

  /**
   * Relays a signal to another peer.
   * @param {string} to @param {'offer' | 'answer' | 'candidate'} kind
   * @param {{sdp?: string, candidate?: {candidate: string, sdpMid?: string | null, sdpMLineIndex: number}}} body
   */
  signal(to, kind, body) { this.send({ type: 'signal', to, kind, ...body }); }

  /**
   * Reports a neighbour that sent a segment failing verification; the Tracker bans a peer reported
   * by enough distinct peers.
   * @param {string} peer @param {string} stream @param {string} reason
   */
  report(peer, stream, reason) { this.send({ type: 'report', peer, stream, reason }); }

  /**
   * Sets what this peer holds; sent at once if it changed, and repeated every heartbeat.
   * `servedBy` names peers that delivered a verified segment since the previous call: they are
   * named once, in the next state sent (at most {@link MAX_SERVED_BY}; more wait for the one
   * after). A peer not named in the last state sent makes the state count as changed; one named
   * again waits for the heartbeat.
   * @param {{streams: {stream: string, segments: number, newest: number}[], uploadSlots: number, servedBy?: string[]}} state
   */
  setState(state) {
    const { servedBy = [], ...holdings } = state;
    this.state = holdings;
    // Bounded while signaling is down: a peer left out delivers again and is named then.
    for (const p of servedBy) if (this.servedBy.size < 8 * MAX_SERVED_BY) this.servedBy.add(p);
    this.sendState(false);
  }

  /** @param {boolean} always */
  sendState(always) {
    if (!this.state || !this.peerId) return;
    const holdings = encode({ type: 'state', ...this.state });
    const named = [...this.servedBy].slice(0, MAX_SERVED_BY);
    if (!always && holdings === this.lastHoldings && named.every((p) => this.lastServedBy.has(p))) return;
    this.lastHoldings = holdings;
    this.lastServedBy = new Set(named);
    for (const p of named) this.servedBy.delete(p);
    this.sendFrame(named.length ? encode({ type: 'state', ...this.state, servedBy: named }) : holdings);
  }

  /** Leaves gracefully and closes. */
  close() {
    if (this.closed) return;
    if (this.peerId) this.send({ type: 'leave' });
    this.socket?.close(1000, 'leave');
    this.terminate('closed by the page');
  }

  /** @param {Record<string, any>} message */
  send(message) { this.sendFrame(encode(message)); }

  /** @param {string} frame */
  sendFrame(frame) {
    if (this.socket && this.socket.readyState === 1) this.socket.send(frame);
  }

  /** @param {string} type @returns {Promise<any>} */
  expect(type) {
    return new Promise((resolve, reject) => this.pending.set(type, { resolve, reject }));
  }

  /** @param {any} data */
  receive(data) {
    let m;
    try {
      m = decode(String(data));
    } catch (e) {
      const err = e instanceof SignalingError ? e : new SignalingError('BAD_MESSAGE', String(e));
      this.dispatchEvent(new CustomEvent('error', { detail: { type: 'error', code: err.code, message: err.message } }));
      return;
    }
    const waiter = this.pending.get(m.type);
    if (waiter) {
      this.pending.delete(m.type);
      waiter.resolve(m);
      return;
    }
    if (m.type === 'error') {
      // A refused hello or join fails the call that waits for its answer.
      const awaited = m.ref === 'hello' ? 'welcome' : m.ref === 'join' ? 'joined' : null;
      const w = awaited && this.pending.get(awaited);
      if (w && awaited) {
        this.pending.delete(awaited);
        w.reject(new SignalingError(m.code, m.message));
        return;
      }
    }
    this.dispatchEvent(new CustomEvent(m.type, { detail: m }));
  }

  /** @param {string} reason */
  terminate(reason) {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) (this.options.clearInterval ?? clearInterval)(this.heartbeat);
    for (const w of this.pending.values()) w.reject(new Error(`signaling ${reason}`));
    this.pending.clear();
    this.dispatchEvent(new CustomEvent('close', { detail: { reason } }));
  }
}
