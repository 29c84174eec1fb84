// @ts-check
/**
 * Connection API, part 2: one neighbour. An RTCPeerConnection with one reliable, ordered data
 * channel labelled `p2p-collab`, set up through SDP/ICE relayed by the Coordinator (the newcomer
 * offers). Sends wire messages with back-pressure: above 1 MiB buffered, messages queue until the
 * channel's `bufferedamountlow` (256 KiB).
 *
 * Limits (each an option, defaults in {@link LINK_DEFAULTS}):
 * - the queue is bounded (`maxQueuedMessages`, `maxQueuedBytes`): a send that would exceed a cap
 *   is refused, `overflow` is dispatched and the link closed — the neighbour made us queue more
 *   than any honest one does (it asks without reading);
 * - a link that carries no REQUEST or PUSH, in either direction, within `idleMs` of opening is
 *   closed (an unsolicited offer must not hold a neighbour slot), unless {@link PeerLink#pin}ned.
 *
 * Events: `open`, `message` (detail: a decoded wire message), `bad-message` (detail: {code,
 * message}: a message that could not be decoded — `UNKNOWN_TYPE`, already answered with ERROR
 * BAD_REQUEST, or `BAD_MESSAGE` / `FRAME_TOO_LARGE`, a violation left to the owner), `overflow`
 * (detail: {count, bytes}: the queue was full; `close` follows), `close` (terminal; detail: {reason}).
 *
 * Threading: browser main thread only (RTCPeerConnection and data channel callbacks run there).
 * @module
 */
import { decode, encode, WIRE_ERRORS, WireError } from './wire.js';
import { SendQueue } from './send-queue.js';

export const HIGH_WATER = 1 << 20;
export const LOW_WATER = 256 << 10;
export const LABEL = 'p2p-collab';

/**
 * Default limits of a link.
 * - `connectTimeoutMs` 10 000: a link not open by then is closed.
 * - `idleMs` 5 000: an open link that carried no REQUEST or PUSH (either direction) by then is closed.
 * - `maxQueuedMessages` 1 024 and `maxQueuedBytes` 8 MiB: the send queue's caps (PUSH excluded).
 */
export const LINK_DEFAULTS = Object.freeze({ connectTimeoutMs: 10_000, idleMs: 5_000, maxQueuedMessages: 1024, maxQueuedBytes: 8 << 20 });

export class PeerLink extends EventTarget {
  /**
   * @param {{
   *   id: string, superPeer: boolean, initiator: boolean,
   *   RTCPeerConnection: typeof RTCPeerConnection, rtcConfig: RTCConfiguration,
   *   sendSignal: (kind: 'offer' | 'answer' | 'candidate', body: any) => void,
   *   connectTimeoutMs?: number, idleMs?: number, maxQueuedMessages?: number, maxQueuedBytes?: number,
   *   setTimeout?: typeof setTimeout, clearTimeout?: typeof clearTimeout,
   * }} o  limits default to {@link LINK_DEFAULTS}
   */
  constructor(o) {
    super();
    this.id = o.id;
    this.superPeer = o.superPeer;
    this.sendSignal = o.sendSignal;
    this.pc = new o.RTCPeerConnection(o.rtcConfig);
    /** @type {RTCDataChannel | null} */ this.channel = null;
    this.queue = new SendQueue({
      maxMessages: o.maxQueuedMessages ?? LINK_DEFAULTS.maxQueuedMessages,
      maxBytes: o.maxQueuedBytes ?? LINK_DEFAULTS.maxQueuedBytes,
    });
    /** @type {RTCIceCandidateInit[]} candidates that arrived before the remote description */
    this.earlyCandidates = [];
    this.remoteSet = false;
    this.isOpen = false;
    this.closed = false;
    this.bytesSent = 0;
    /** Whether a REQUEST or PUSH went either way (or the link was pinned): it is not idle. */
    this.used = false;
    const set = o.setTimeout ?? setTimeout;
    const clear = o.clearTimeout ?? clearTimeout;
    const timer = set(() => { if (!this.isOpen) this.close('connect timeout'); }, o.connectTimeoutMs ?? LINK_DEFAULTS.connectTimeoutMs);
    const idleMs = o.idleMs ?? LINK_DEFAULTS.idleMs;
    /** @type {any} */ let idle = null;
    this.addEventListener('open', () => {
      clear(timer);
      this.flush();
      if (!this.used && Number.isFinite(idleMs)) idle = set(() => { if (!this.used) this.close(`idle: no request within ${idleMs} ms of opening`); }, idleMs);
    });
    this.stopIdleTimer = () => { if (idle !== null) clear(idle); idle = null; };
    this.addEventListener('close', () => { clear(timer); this.stopIdleTimer(); });

    this.pc.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate) {
        this.sendSignal('candidate', { candidate: { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex ?? 0 } });
      }
    };
    this.pc.onconnectionstatechange = () => {
      if (this.pc.connectionState === 'failed' || this.pc.connectionState === 'closed') this.close(`connection ${this.pc.connectionState}`);
    };
    if (o.initiator) {
      this.attach(this.pc.createDataChannel(LABEL, { ordered: true }));
      this.pc.createOffer()
        .then((offer) => this.pc.setLocalDescription(offer))
        .then(() => this.sendSignal('offer', { sdp: this.pc.localDescription?.sdp }))
        .catch((e) => this.close(`offer failed: ${e}`));
    } else {
      this.pc.ondatachannel = (e) => { if (e.channel.label === LABEL) this.attach(e.channel); };
    }
  }

  /**
   * Feeds a signal relayed from this neighbour.
   * @param {{kind: string, sdp?: string, candidate?: any}} m
   */
  async handleSignal(m) {
    try {
      if (m.kind === 'offer' || m.kind === 'answer') {
        await this.pc.setRemoteDescription({ type: m.kind, sdp: m.sdp });
        this.remoteSet = true;
        for (const c of this.earlyCandidates.splice(0)) await this.pc.addIceCandidate(c);
        if (m.kind === 'offer') {
          await this.pc.setLocalDescription(await this.pc.createAnswer());
          this.sendSignal('answer', { sdp: this.pc.localDescription?.sdp });
        }
      } else if (m.kind === 'candidate' && m.candidate) {
        const c = { candidate: m.candidate.candidate, sdpMid: m.candidate.sdpMid ?? null, sdpMLineIndex: m.candidate.sdpMLineIndex };
        if (this.remoteSet) await this.pc.addIceCandidate(c); else this.earlyCandidates.push(c);
      }
    } catch (e) {
      this.close(`signaling failed: ${e}`);
    }
  }

  /** @param {RTCDataChannel} channel */
  attach(channel) {
    this.channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = LOW_WATER;
    channel.onopen = () => { this.isOpen = true; this.dispatchEvent(new Event('open')); };
    channel.onclose = () => this.close('channel closed');
    channel.onbufferedamountlow = () => this.flush();
    channel.onmessage = (e) => {
      if (this.closed) return; // already delivered to the channel when we cut the link
      let m;
      try {
        m = decode(new Uint8Array(e.data));
      } catch (err) {
        // An unknown type may be a newer protocol's: answered, and left to the owner to count.
        // Anything else undecodable is a violation: the owner cuts the link.
        const code = err instanceof WireError ? err.code : 'BAD_MESSAGE';
        const message = String(/** @type {Error} */ (err).message).slice(0, 200);
        if (code === 'UNKNOWN_TYPE') this.send({ type: 'ERROR', requestId: 0, code: WIRE_ERRORS.BAD_REQUEST, message });
        this.dispatchEvent(new CustomEvent('bad-message', { detail: { code, message } }));
        return;
      }
      this.touch(m.type);
      this.dispatchEvent(new CustomEvent('message', { detail: m }));
    };
    if (channel.readyState === 'open') { this.isOpen = true; queueMicrotask(() => this.dispatchEvent(new Event('open'))); }
  }

  /**
   * Queues a wire message; sent at once unless the channel's buffer is over the high-water mark.
   * A queued HAVE replaces the one of its stream still waiting. A message that would take the
   * queue past a cap is not sent: the link dispatches `overflow` and closes.
   * @param {import('./wire.js').WireMessage} m
   * @returns {boolean} false if the link is closed (or just closed on overflow)
   */
  send(m) {
    if (this.closed) return false;
    const bytes = encode(m);
    this.touch(m.type);
    // A contributor's PUSHes are bounded by its in-flight window, not by this cap.
    if (!this.queue.push(bytes, { capped: m.type !== 'PUSH', key: m.type === 'HAVE' ? `HAVE ${m.stream}` : undefined })) {
      this.dispatchEvent(new CustomEvent('overflow', { detail: { count: this.queue.count, bytes: this.queue.bytes } }));
      this.close(`send queue over its cap (${this.queue.count} messages, ${this.queue.bytes} bytes)`);
      return false;
    }
    this.flush();
    return true;
  }

  /** Drops queued DATA of a request (CANCEL). @param {number} requestId */
  dropQueued(requestId) { this.queue.dropRequest(requestId); }

  /** Bytes waiting to reach the neighbour: our queue plus the channel's buffer. */
  backlog() { return this.queue.bytes + (this.channel?.bufferedAmount ?? 0); }

  /** Exempts this link from the idle rule (e.g. the upload link to the ingesting super-peer). */
  pin() { this.used = true; this.stopIdleTimer(); }

  /** @param {string} type a message type sent or received */
  touch(type) { if (!this.used && (type === 'REQUEST' || type === 'PUSH')) this.pin(); }

  flush() {
    const ch = this.channel;
    if (!ch || ch.readyState !== 'open') return;
    while (this.queue.length > 0 && ch.bufferedAmount <= HIGH_WATER) {
      const b = /** @type {Uint8Array} */ (this.queue.shift());
      this.bytesSent += b.length;
      ch.send(b);
    }
  }

  /** @param {string} [reason] */
  close(reason = 'closed') {
    if (this.closed) return;
    this.closed = true;
    this.isOpen = false;
    this.queue.clear();
    try { this.channel?.close(); } catch { /* already closed */ }
    try { this.pc.close(); } catch { /* already closed */ }
    this.dispatchEvent(new CustomEvent('close', { detail: { reason } }));
  }
}
