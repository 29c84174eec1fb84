// @ts-check
/**
 * Connection API, part 2: one neighbour. An RTCPeerConnection with one reliable, ordered data
 * channel labelled `p2p-collab`, set up through SDP/ICE relayed by the Coordinator (the newcomer
 * offers). Sends wire messages with back-pressure: above 1 MiB buffered, messages queue until the
 * channel's `bufferedamountlow` (256 KiB).
 *
 * Events: `open`, `message` (detail: a decoded wire message), `close` (terminal).
 * @module
 */
import { decode, encode, WIRE_ERRORS, WireError } from './wire.js';

export const HIGH_WATER = 1 << 20;
export const LOW_WATER = 256 << 10;
export const LABEL = 'p2p-collab';

export class PeerLink extends EventTarget {
  /**
   * @param {{
   *   id: string, superPeer: boolean, initiator: boolean,
   *   RTCPeerConnection: typeof RTCPeerConnection, rtcConfig: RTCConfiguration,
   *   sendSignal: (kind: 'offer' | 'answer' | 'candidate', body: any) => void,
   *   connectTimeoutMs?: number, setTimeout?: typeof setTimeout, clearTimeout?: typeof clearTimeout,
   * }} o
   */
  constructor(o) {
    super();
    this.id = o.id;
    this.superPeer = o.superPeer;
    this.sendSignal = o.sendSignal;
    this.pc = new o.RTCPeerConnection(o.rtcConfig);
    /** @type {RTCDataChannel | null} */ this.channel = null;
    /** @type {Uint8Array[]} */ this.queue = [];
    /** @type {RTCIceCandidateInit[]} candidates that arrived before the remote description */
    this.earlyCandidates = [];
    this.remoteSet = false;
    this.isOpen = false;
    this.closed = false;
    this.bytesSent = 0;
    const clear = o.clearTimeout ?? clearTimeout;
    const timer = (o.setTimeout ?? setTimeout)(() => { if (!this.isOpen) this.close('connect timeout'); }, o.connectTimeoutMs ?? 10_000);
    this.addEventListener('open', () => clear(timer));
    this.addEventListener('close', () => clear(timer));

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
      let m;
      try {
        m = decode(new Uint8Array(e.data));
      } catch (err) {
        const tooLarge = err instanceof WireError && err.code === 'FRAME_TOO_LARGE';
        this.send({ type: 'ERROR', requestId: 0, code: tooLarge ? WIRE_ERRORS.TOO_LARGE : WIRE_ERRORS.BAD_REQUEST, message: String(/** @type {Error} */ (err).message).slice(0, 200) });
        return;
      }
      this.dispatchEvent(new CustomEvent('message', { detail: m }));
    };
    if (channel.readyState === 'open') { this.isOpen = true; queueMicrotask(() => this.dispatchEvent(new Event('open'))); }
  }

  /**
   * Queues a wire message; sent at once unless the channel's buffer is over the high-water mark.
   * @param {import('./wire.js').WireMessage} m
   * @returns {boolean} false if the link is closed
   */
  send(m) {
    if (this.closed) return false;
    this.queue.push(encode(m));
    this.flush();
    return true;
  }

  /** Drops queued DATA of a request (CANCEL). @param {number} requestId */
  dropQueued(requestId) {
    this.queue = this.queue.filter((b) => !(b[0] === 0x03 && new DataView(b.buffer, b.byteOffset).getUint32(1) === requestId));
  }

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
    this.queue = [];
    try { this.channel?.close(); } catch { /* already closed */ }
    try { this.pc.close(); } catch { /* already closed */ }
    this.dispatchEvent(new CustomEvent('close', { detail: { reason } }));
  }
}
