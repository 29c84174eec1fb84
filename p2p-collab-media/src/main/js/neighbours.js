// @ts-check
/**
 * The Content Loader's neighbours: which links exist, how many of each kind, who is never
 * connected to again.
 *
 * Slots. Outbound links (we offered, to a peer the Coordinator handed us) and inbound links (the
 * other peer offered) are counted apart, each with its own cap, so peers that offer unasked can
 * never take the slots of the sources the Coordinator chose for us; and every link that carries no
 * REQUEST (or PUSH) within `idleLinkMs` of opening is closed by its {@link PeerLink}, so an
 * unsolicited offer holds an inbound slot for seconds, not for the life of the visit.
 *
 * Blocking. A blocked peer (it sent bad data, broke the protocol, lied about what it holds, or
 * overflowed its send queue) is cut at once and, for the rest of the visit, never connected to
 * and its offers are refused.
 *
 * Threading: browser main thread only.
 * @module
 */
import { PeerLink, LINK_DEFAULTS } from './peer.js';

/**
 * One pending REQUEST of ours to a neighbour.
 * @typedef {{
 *   assembler: import('./wire.js').Assembler, expectedLength: number | undefined, stream: string, name: string,
 *   signed: boolean, statement: import('./integrity.js').SegmentSignature | null,
 *   claimed: boolean, quiet: boolean, answersAtSend: number, judge: () => boolean, lastChunkMs?: number,
 *   resolve: (b: Uint8Array, statement: import('./integrity.js').SegmentSignature | null) => void, reject: (e: Error) => void,
 * }} Pending
 */

/**
 * @typedef {{
 *   link: PeerLink, superPeer: boolean, inbound: boolean,
 *   have: Map<string, Set<string>>, outstanding: number, pending: Map<number, Pending>,
 *   answers: number, lastRequestId: number, bytesPerSecond: number,
 * }} Neighbour
 * `have`: what it claims, by stream (its latest HAVE); `answers`: DATA and ERROR messages received
 * from it so far (a neighbour that sends any is not silent); `lastRequestId`: the newest request
 * ID we sent it (DATA for a later one answers a request never made); `bytesPerSecond`: its
 * measured throughput to us, 0 until a transfer completed.
 */

/**
 * Default slot limits. `maxInbound` 4: links other peers opened to us (unsolicited offers beyond
 * are ignored). `maxOutbound` 4: links we open to peers the Coordinator hands us (we top up to it).
 */
export const SLOT_DEFAULTS = Object.freeze({ maxInbound: 4, maxOutbound: 4 });

export class Neighbours {
  /**
   * @param {{
   *   signaling: {peerId: string | null, signal: (to: string, kind: 'offer' | 'answer' | 'candidate', body: any) => void},
   *   RTCPeerConnection: typeof RTCPeerConnection, rtcConfig: RTCConfiguration,
   *   setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout,
   *   maxInbound: number, maxOutbound: number,
   *   link: {idleMs?: number, maxQueuedMessages?: number, maxQueuedBytes?: number},
   *   onOpen: (id: string, n: Neighbour) => void,
   *   onMessage: (id: string, n: Neighbour, m: import('./wire.js').WireMessage) => void,
   *   onBadMessage: (id: string, n: Neighbour, e: {code: string, message: string}) => void,
   *   onClose: (id: string, n: Neighbour) => void,
   * }} o
   */
  constructor(o) {
    this.o = o;
    /** @type {Map<string, Neighbour>} every link, open or being set up */
    this.map = new Map();
    /** @type {Set<string>} peers never connected again during this visit */
    this.blocked = new Set();
    this.closed = false;
  }

  /** Links the other peer opened (set up or open). */
  get inbound() { return this.count(true); }

  /** Links we opened (set up or open). */
  get outbound() { return this.count(false); }

  /** @param {boolean} inbound */
  count(inbound) {
    let c = 0;
    for (const n of this.map.values()) if (n.inbound === inbound) c++;
    return c;
  }

  /** @returns {[string, Neighbour][]} */
  open() { return [...this.map].filter(([, n]) => n.link.isOpen); }

  /**
   * Offers to the peers of a list (the Coordinator's) until the outbound slots are taken.
   * @param {{id: string, superPeer: boolean}[]} peers
   */
  connectTo(peers) {
    for (const p of peers) {
      if (this.closed || this.outbound >= this.o.maxOutbound) return;
      if (p.id === this.o.signaling.peerId || this.map.has(p.id) || this.blocked.has(p.id)) continue;
      this.add(p.id, p.superPeer, false);
    }
  }

  /**
   * A signal relayed from another peer: an offer takes an inbound slot if one is free.
   * @param {{from?: string, kind: string, sdp?: string, candidate?: any}} m
   */
  onSignal(m) {
    if (!m.from || this.blocked.has(m.from) || this.closed) return;
    let n = this.map.get(m.from);
    let glare = false;
    if (n && m.kind === 'offer' && !n.inbound && !n.link.remoteSet) {
      // Both offered at once (docs/protocol.md §2.1): the smaller peer ID's offer stands; the
      // other side drops its own and answers.
      if (/** @type {string} */ (this.o.signaling.peerId) < m.from) return;
      n.link.close('glare: answering their offer instead');
      n = undefined;
      glare = true;
    }
    if (!n && m.kind === 'offer' && (glare || this.inbound < this.o.maxInbound)) {
      // Whoever offers is a viewer: the super-peer never offers.
      n = this.add(m.from, false, true);
    }
    n?.link.handleSignal(m);
  }

  /**
   * The open link to `id`, connecting to it first if need be, even past the outbound cap, and
   * exempt from the idle rule: the super-peer a contribution is uploaded to.
   * @param {string} id @param {boolean} superPeer @param {number} timeoutMs
   * @returns {Promise<PeerLink>}
   */
  ensure(id, superPeer, timeoutMs) {
    const n = this.map.get(id) ?? this.add(id, superPeer, false);
    n.link.pin();
    if (n.link.isOpen) return Promise.resolve(n.link);
    return new Promise((resolve, reject) => {
      const timer = this.o.setTimeout(() => reject(new Error(`no data channel to ${id}`)), timeoutMs);
      n.link.addEventListener('open', () => { this.o.clearTimeout(timer); resolve(n.link); }, { once: true });
      n.link.addEventListener('close', () => { this.o.clearTimeout(timer); reject(new Error(`link to ${id} closed`)); }, { once: true });
    });
  }

  /** @param {string} id @param {boolean} superPeer @param {boolean} inbound @returns {Neighbour} */
  add(id, superPeer, inbound) {
    const o = this.o;
    const link = new PeerLink({
      id, superPeer, initiator: !inbound,
      RTCPeerConnection: o.RTCPeerConnection, rtcConfig: o.rtcConfig,
      sendSignal: (kind, body) => o.signaling.signal(id, kind, body),
      setTimeout: o.setTimeout, clearTimeout: o.clearTimeout,
      idleMs: o.link.idleMs ?? LINK_DEFAULTS.idleMs,
      maxQueuedMessages: o.link.maxQueuedMessages, maxQueuedBytes: o.link.maxQueuedBytes,
    });
    /** @type {Neighbour} */
    const n = { link, superPeer, inbound, have: new Map(), outstanding: 0, pending: new Map(), answers: 0, lastRequestId: 0, bytesPerSecond: 0 };
    this.map.set(id, n);
    link.addEventListener('open', () => o.onOpen(id, n));
    link.addEventListener('message', (e) => o.onMessage(id, n, /** @type {CustomEvent} */ (e).detail));
    link.addEventListener('bad-message', (e) => o.onBadMessage(id, n, /** @type {CustomEvent} */ (e).detail));
    // It asked for more than any honest neighbour: never again this visit.
    link.addEventListener('overflow', () => this.blocked.add(id));
    link.addEventListener('close', () => {
      if (this.map.get(id) === n) this.map.delete(id);
      o.onClose(id, n);
    });
    return n;
  }

  /** Cuts `id` and never connects to it again during this visit. @param {string} id @param {string} why */
  block(id, why) {
    this.blocked.add(id);
    this.map.get(id)?.link.close(why);
  }

  /** @param {string} reason */
  closeAll(reason) {
    this.closed = true;
    for (const n of [...this.map.values()]) n.link.close(reason);
  }
}
