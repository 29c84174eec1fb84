// @ts-check
/**
 * Contribution: an authorized page goes live. It asks the Coordinator (`contribute`, with a
 * contributor token or, without one, an operator's approval); once granted, it records the camera
 * and microphone with MediaRecorder as fragmented MP4 with a key frame every second, cuts the
 * recording into segments, stamps each with its capture time (`prft`), and pushes them to the
 * ingesting super-peer over its data channel (docs/protocol.md §2, PUSH/ACK). At most
 * `maxInFlight` segments are unacknowledged at a time; the rest wait in order, so a slow link
 * delays the stream but loses nothing. A segment counts as sent only once the Media Server
 * acknowledged it as stored.
 *
 * Events: `status` (detail: {status, reason?}: pending, granted, live, denied, revoked, ended,
 * refused — the last with the Coordinator's error `code`), `ack` (detail: {number}), `error`.
 * @module
 */
import { decodeTime, FragmentCutter, prftBox, timingTrack } from './fmp4.js';
import { INIT, MAX_PAYLOAD, STORED, WIRE_ERRORS } from './wire.js';

export const MIME_TYPE = 'video/mp4;codecs=avc1,opus';

export class Contribution extends EventTarget {
  /**
   * @param {{
   *   signaling: import('./signaling.js').SignalingClient,
   *   loader: import('./content-loader.js').ContentLoader,
   *   stream: string, token?: string, media: MediaStream,
   *   videoBitsPerSecond?: number, maxInFlight?: number,
   * }} o
   */
  constructor(o) {
    super();
    this.o = o;
    this.stream = o.stream;
    this.maxInFlight = o.maxInFlight ?? 4;
    this.status = 'new';
    /** @type {{number: number, bytes: Uint8Array}[]} segments waiting to be pushed, in order */
    this.queue = [];
    /** @type {Map<number, Uint8Array>} pushed, not yet acknowledged */
    this.inFlight = new Map();
    this.nextNumber = 1;
    this.counts = { recorded: 0, pushed: 0, acked: 0, refused: 0, bytesAcked: 0 };
    /** @type {MediaRecorder | null} */ this.recorder = null;
    /** @type {import('./peer.js').PeerLink | null} */ this.link = null;
    this.onContribution = (/** @type {Event} */ e) => this.contributionChanged(/** @type {CustomEvent} */ (e).detail);
    this.onError = (/** @type {Event} */ e) => {
      const m = /** @type {CustomEvent} */ (e).detail;
      if (m.ref === 'contribute') this.setStatus('refused', m.message, m.code);
    };
    this.onAck = (/** @type {Event} */ e) => this.acked(/** @type {CustomEvent} */ (e).detail);
    o.signaling.addEventListener('contribution', this.onContribution);
    o.signaling.addEventListener('error', this.onError);
    o.loader.addEventListener('ack', this.onAck);
  }

  /** Asks to go live; what follows arrives as `status` events. */
  start() {
    this.o.signaling.send({ type: 'contribute', stream: this.stream, token: this.o.token });
  }

  /** Stops recording and ends the stream for everyone. */
  stop() {
    this.stopRecorder();
    if (['granted', 'live'].includes(this.status)) this.o.signaling.send({ type: 'contribute-stop', stream: this.stream });
    this.setStatus('ended', 'stopped by the page');
    this.detach();
  }

  stats() {
    return { status: this.status, stream: this.stream, ...this.counts, queued: this.queue.length, inFlight: this.inFlight.size };
  }

  /** @param {{stream: string, status: string, uploadTo?: string, reason?: string}} m */
  async contributionChanged(m) {
    if (m.stream !== this.stream) return;
    if (m.status === 'granted' && m.uploadTo) {
      if (this.status === 'granted' || this.status === 'live') return;
      this.setStatus('granted', m.reason);
      try {
        this.link = await this.o.loader.ensureNeighbour(m.uploadTo, true);
        this.link.addEventListener('close', () => { if (this.status === 'live') this.failed('the link to the Media Server closed'); }, { once: true });
        this.record();
        this.setStatus('live');
      } catch (e) {
        this.failed(String(/** @type {Error} */ (e).message));
      }
    } else if (m.status === 'pending' || m.status === 'denied') {
      this.setStatus(m.status, m.reason);
    } else if (m.status === 'revoked' || m.status === 'ended') {
      this.stopRecorder();
      this.queue = []; // never to be stored: the grant is gone
      this.setStatus(m.status, m.reason);
      this.detach(); // acknowledgements of segments already pushed still count
    }
  }

  record() {
    const rec = new MediaRecorder(this.o.media, {
      mimeType: MIME_TYPE,
      videoBitsPerSecond: this.o.videoBitsPerSecond ?? 800_000,
      // A key frame every second: Chromium then ends a fragment there, which becomes a segment.
      // @ts-ignore not yet in the DOM typings
      videoKeyFrameIntervalDuration: 1000,
    });
    const cutter = new FragmentCutter();
    /** @type {{trackId: number, timescale: number} | null} */ let timing = null;
    let startedAt = 0;
    rec.onstart = () => { startedAt = performance.timeOrigin + performance.now(); };
    let chain = Promise.resolve();
    rec.ondataavailable = (e) => {
      // Blobs resolve out of order if read in parallel: keep the byte stream in order.
      chain = chain.then(async () => {
        const bytes = new Uint8Array(await e.data.arrayBuffer());
        for (const piece of cutter.push(bytes)) {
          if (piece.kind === 'init') {
            timing = timingTrack(piece.bytes);
            this.enqueue(INIT, piece.bytes);
          } else if (timing) {
            const t = decodeTime(piece.bytes, timing.trackId) ?? 0;
            // Capture time of the segment's first frame: recording start plus its media time.
            const prft = prftBox(timing.trackId, startedAt + (t * 1000) / timing.timescale, t);
            const stamped = new Uint8Array(prft.length + piece.bytes.length);
            stamped.set(prft);
            stamped.set(piece.bytes, prft.length);
            this.enqueue(this.nextNumber++, stamped);
          }
        }
      }).catch((err) => this.failed(`recording: ${err}`));
    };
    rec.start(200);
    this.recorder = rec;
  }

  /** @param {number} number @param {Uint8Array} bytes */
  enqueue(number, bytes) {
    // What the recorder hands over after the end (its last blob) is never pushed: the grant is gone.
    if (['ended', 'revoked', 'denied'].includes(this.status)) return;
    if (number !== INIT) this.counts.recorded++;
    this.queue.push({ number, bytes });
    this.pump();
  }

  pump() {
    while (this.link && this.inFlight.size < this.maxInFlight && this.queue.length > 0) {
      const { number, bytes } = /** @type {{number: number, bytes: Uint8Array}} */ (this.queue.shift());
      this.inFlight.set(number, bytes);
      for (let offset = 0; offset < bytes.length; offset += MAX_PAYLOAD) {
        this.link.send({ type: 'PUSH', number, totalLength: bytes.length, offset, payload: bytes.subarray(offset, offset + MAX_PAYLOAD) });
      }
      if (number !== INIT) this.counts.pushed++;
    }
  }

  /** @param {{peer: string, number: number, code: number, message: string}} a */
  acked(a) {
    if (!this.link || a.peer !== this.link.id) return;
    const bytes = this.inFlight.get(a.number);
    if (!bytes) return;
    this.inFlight.delete(a.number);
    if (this.inFlight.size === 0 && ['ended', 'revoked', 'denied'].includes(this.status)) this.o.loader.removeEventListener('ack', this.onAck);
    if (a.code === STORED) {
      if (a.number !== INIT) { this.counts.acked++; this.counts.bytesAcked += bytes.length; }
      this.dispatchEvent(new CustomEvent('ack', { detail: { number: a.number } }));
    } else {
      this.counts.refused++;
      this.dispatchEvent(new CustomEvent('error', { detail: { number: a.number, code: a.code, message: a.message } }));
      if (a.code === WIRE_ERRORS.FORBIDDEN) {
        if (this.status !== 'revoked') { this.stopRecorder(); this.queue = []; this.setStatus('revoked', a.message); }
        this.detach();
        return;
      }
    }
    this.pump();
  }

  /** @param {string} reason */
  failed(reason) {
    this.dispatchEvent(new CustomEvent('error', { detail: { message: reason } }));
    this.stop();
  }

  stopRecorder() {
    if (this.recorder && this.recorder.state !== 'inactive') this.recorder.stop();
    this.recorder = null;
  }

  detach() {
    this.o.signaling.removeEventListener('contribution', this.onContribution);
    this.o.signaling.removeEventListener('error', this.onError);
    if (this.inFlight.size === 0) this.o.loader.removeEventListener('ack', this.onAck);
  }

  /** @param {string} status @param {string} [reason] @param {string} [code] */
  setStatus(status, reason, code) {
    this.status = status;
    this.dispatchEvent(new CustomEvent('status', { detail: { status, reason, code } }));
  }
}
