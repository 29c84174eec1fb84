// @ts-check
/**
 * Asking neighbours for segments, and holding them to what they answer.
 *
 * A REQUEST ends in the segment, or in a failure that sends the loader elsewhere (another
 * neighbour, HTTP). Some failures are the neighbour's fault and are handed to `onBroken` with a
 * report reason (docs/protocol.md §1.2):
 * - `wrong-length`: the first DATA chunk announced another length than the signed one;
 * - `protocol-violation`: DATA that breaks the wire protocol (chunks out of order, a total
 *   length that changes, a segment over the size limit);
 * - `not-found`: the neighbour claims the segment in its latest HAVE yet answered NOT_FOUND. The
 *   channel is ordered, so a HAVE that drops the segment arrives before such an answer; the
 *   `evictionMargin` oldest media segments of the track it lists are still forgiven, for servers
 *   whose HAVE follows an eviction a moment late (a claim is a lie only where the segment must
 *   still be in its window);
 * - `no-answer`: the neighbour claimed the segment but sent nothing at all — no DATA and no
 *   ERROR for any request — between our REQUEST and its deadline, and our REQUEST left on an
 *   uncongested channel (backlog at most {@link LOW_WATER}), so it cannot have been stuck behind
 *   our own uploads, nor its answer behind other DATA to us.
 * DATA for a request never sent to that neighbour is a `protocol-violation` too, and so are, for
 * a signed stream (docs/protocol.md §2.7), DATA before the answer's STATEMENT, a second
 * STATEMENT, and a STATEMENT for a request never sent; a STATEMENT whose signature does not
 * verify (`checkStatement`) is `bad-segment`, found as soon as it is checked. Being slow is
 * no fault: a transfer that falls behind its deadline is cancelled and counted as a late strike
 * (`onLate`), which only demotes the neighbour as a source (scheduler.js).
 *
 * Threading: browser main thread only.
 * @module
 */
import { Assembler, INIT } from './wire.js';
import { LOW_WATER } from './peer.js';
import { transferBehind } from './scheduler.js';
import { parseFileName } from './stream-state.js';

/** How often a transfer under way is judged while no chunk arrives (docs/protocol.md §2.3). */
export const JUDGE_EVERY_MS = 250;

/** @typedef {import('./neighbours.js').Neighbour} Neighbour */
/** @typedef {'wrong-length' | 'protocol-violation' | 'not-found' | 'no-answer' | 'bad-segment'} BrokenReason */
/** @typedef {import('./integrity.js').SegmentSignature} SegmentSignature */

/**
 * Whether `held` (a neighbour's latest claim for a stream) still claims `name` where it cannot
 * have been evicted a moment ago: an init segment, or a media segment with at least `margin`
 * older segments of its track listed.
 * @param {Set<string> | undefined} held @param {string} name @param {number} margin
 */
export function claimStands(held, name, margin) {
  if (!held?.has(name)) return false;
  const ref = parseFileName(name);
  if (!ref) return false;
  if (ref.number === INIT) return true;
  let older = 0;
  for (const k of held) {
    const r = parseFileName(k);
    if (r && r.track === ref.track && r.number !== INIT && r.number < ref.number && ++older >= margin) return true;
  }
  return older >= margin;
}

export class Requests {
  /**
   * @param {{
   *   now: () => number, setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout, evictionMargin: number,
   *   scheduler: import('./scheduler.js').SchedulerConfig,
   *   onBroken: (id: string, n: Neighbour, stream: string, name: string, reason: BrokenReason) => void,
   *   onLate: (id: string, n: Neighbour) => void,
   *   checkStatement: (stream: string, name: string, entry: SegmentSignature) => Promise<boolean>,
   * }} o
   */
  constructor(o) {
    this.o = o;
    this.nextRequestId = 1;
  }

  /**
   * Asks `n` for a segment, to be complete by `deadlineMs` (see `requestDeadline` in
   * scheduler.js). The transfer is judged whenever a chunk arrives and every
   * {@link JUDGE_EVERY_MS}: once it falls behind (`transferBehind`) it is cancelled, counted as a
   * late strike against `n` (`onLate`) and rejected, for the loader to ask elsewhere at once. A
   * media segment that completes updates `n.bytesPerSecond` (an even mix of the old estimate and
   * this transfer's bytes over time from REQUEST to last chunk); an init segment does not (a
   * chunk or two says nothing of the pace).
   * @param {string} id @param {Neighbour} n @param {string} stream
   * @param {{track: string, number: number, name: string}} ref @param {number} deadlineMs
   * @param {number | undefined} expectedLength the length known beforehand: a first chunk announcing another is refused
   * @param {boolean} [signed] whether the answer must start with a STATEMENT (a signed stream)
   * @returns {Promise<{data: Uint8Array, statement: SegmentSignature | null}>}
   */
  request(id, n, stream, ref, deadlineMs, expectedLength, signed = false) {
    const requestId = this.nextRequestId++ >>> 0;
    const startMs = this.o.now();
    const config = this.o.scheduler;
    n.lastRequestId = requestId;
    n.outstanding++;
    return new Promise((/** @type {(r: {data: Uint8Array, statement: SegmentSignature | null}) => void} */ resolve, reject) => {
      /** @type {any} */ let timer = null;
      const stop = () => { if (timer !== null) this.o.clearTimeout(timer); timer = null; };
      const schedule = () => {
        const wait = Math.max(1, Math.min(JUDGE_EVERY_MS, deadlineMs - this.o.now()));
        timer = this.o.setTimeout(() => { timer = null; judge(); }, wait);
      };
      /** Cancels the transfer if it fell behind; true if it did. */
      const judge = () => {
        const p = n.pending.get(requestId);
        if (!p) return false;
        const nowMs = this.o.now();
        const received = p.assembler.received;
        const total = p.assembler.buffer?.length ?? expectedLength ?? 0;
        // A super-peer is judged by its deadline only: the alternative, HTTP, comes from the same
        // host, so cutting its transfer for pace throws away what arrived and gains nothing.
        const behind = n.superPeer ? nowMs >= deadlineMs : transferBehind({ startMs, lastChunkMs: p.lastChunkMs, nowMs, deadlineMs, received, total }, config);
        if (!behind) {
          if (timer === null) schedule();
          return false;
        }
        stop();
        n.pending.delete(requestId);
        n.link.send({ type: 'CANCEL', requestId });
        if (received > 0) n.bytesPerSecond = mix(n.bytesPerSecond, (received * 1000) / Math.max(1, nowMs - startMs));
        reject(new Error(`peer ${id} fell behind: ${received} of ${total || '?'} bytes after ${nowMs - startMs} ms`));
        this.o.onLate(id, n);
        if (received === 0 && p.claimed && p.quiet && n.answers === p.answersAtSend && n.link.isOpen) this.o.onBroken(id, n, stream, ref.name, 'no-answer');
        return true;
      };
      n.pending.set(requestId, {
        assembler: new Assembler(requestId),
        expectedLength,
        signed,
        statement: null,
        stream,
        name: ref.name,
        claimed: n.have.get(stream)?.has(ref.name) ?? false,
        quiet: n.link.backlog() <= LOW_WATER,
        answersAtSend: n.answers,
        judge,
        resolve: (b, statement) => {
          stop();
          // An init segment is a chunk or two: its time says little of the neighbour's pace.
          if (ref.number !== INIT) n.bytesPerSecond = mix(n.bytesPerSecond, (b.length * 1000) / Math.max(1, this.o.now() - startMs));
          resolve({ data: b, statement });
        },
        reject: (e) => { stop(); reject(e); },
      });
      n.link.send({ type: 'REQUEST', requestId, stream, track: ref.track, number: ref.number });
      schedule();
    }).finally(() => { n.outstanding--; });
  }

  /** @param {string} id @param {Neighbour} n @param {{requestId: number, totalLength: number, offset: number, payload: Uint8Array}} m */
  onData(id, n, m) {
    n.answers++;
    const p = n.pending.get(m.requestId);
    if (!p) {
      // Chunks of a request we cancelled may still come; of one we never sent it, never.
      if (m.requestId === 0 || m.requestId > n.lastRequestId) this.o.onBroken(id, n, '', '', 'protocol-violation');
      return;
    }
    if (p.signed && !p.statement) {
      this.fail(n, m.requestId, p, `peer ${id} sent DATA before the segment's STATEMENT`);
      this.o.onBroken(id, n, p.stream, p.name, 'protocol-violation');
      return;
    }
    const expectedLength = p.statement?.length ?? p.expectedLength;
    if (p.assembler.received === 0 && expectedLength !== undefined && m.totalLength !== expectedLength) {
      this.fail(n, m.requestId, p, `peer ${id} announced ${m.totalLength} bytes, the signed length is ${expectedLength}`);
      this.o.onBroken(id, n, p.stream, p.name, 'wrong-length');
      return;
    }
    p.lastChunkMs = this.o.now();
    try {
      if (p.assembler.accept(m)) { n.pending.delete(m.requestId); p.resolve(p.assembler.segment(), p.statement); } else p.judge();
    } catch (e) {
      this.fail(n, m.requestId, p, `peer ${id} broke the wire protocol: ${/** @type {Error} */ (e).message}`);
      this.o.onBroken(id, n, p.stream, p.name, 'protocol-violation');
    }
  }

  /**
   * The statement that opens an answer (docs/protocol.md §2.7): kept for the segment's check,
   * and its signature checked at once, so a forged one costs no more of the transfer.
   * @param {string} id @param {Neighbour} n @param {{requestId: number, length: number, sha256: Uint8Array, sig: Uint8Array}} m
   * @param {(m: {length: number, sha256: Uint8Array, sig: Uint8Array}) => SegmentSignature} toEntry
   */
  onStatement(id, n, m, toEntry) {
    // Not an answer for `no-answer` (docs/protocol.md §2.4: no DATA and no ERROR): a statement
    // followed by silence is still silence.
    const p = n.pending.get(m.requestId);
    if (!p) {
      // Of a request we cancelled it may still come; of one we never sent it, never.
      if (m.requestId === 0 || m.requestId > n.lastRequestId) this.o.onBroken(id, n, '', '', 'protocol-violation');
      return;
    }
    if (!p.signed) return; // an unsigned stream has no statements: nothing to hold the sender to
    if (p.statement || p.assembler.received > 0) {
      this.fail(n, m.requestId, p, `peer ${id} sent a STATEMENT out of place`);
      this.o.onBroken(id, n, p.stream, p.name, 'protocol-violation');
      return;
    }
    const entry = toEntry(m);
    p.statement = entry;
    void this.o.checkStatement(p.stream, p.name, entry).then((ok) => {
      if (ok || n.pending.get(m.requestId) !== p) return;
      this.fail(n, m.requestId, p, `peer ${id} sent a statement about ${p.name} that does not verify`);
      this.o.onBroken(id, n, p.stream, p.name, 'bad-segment');
    });
  }

  /** @param {string} id @param {Neighbour} n @param {{requestId: number, code: number, message: string}} m @param {number} notFound */
  onError(id, n, m, notFound) {
    n.answers++;
    const p = n.pending.get(m.requestId);
    if (!p) return;
    this.fail(n, m.requestId, p, `peer ${id}: ${m.message || m.code}`);
    if (m.code === notFound && p.claimed && claimStands(n.have.get(p.stream), p.name, this.o.evictionMargin)) {
      this.o.onBroken(id, n, p.stream, p.name, 'not-found');
    }
  }

  /** The link to `n` closed: its requests go elsewhere. @param {string} id @param {Neighbour} n */
  closed(id, n) {
    for (const p of n.pending.values()) p.reject(new Error(`peer ${id} disconnected`));
    n.pending.clear();
  }

  /** @param {Neighbour} n @param {number} requestId @param {import('./neighbours.js').Pending} p @param {string} why */
  fail(n, requestId, p, why) {
    n.pending.delete(requestId);
    p.reject(new Error(why));
  }
}

/** An even mix of the old throughput estimate (0: none yet) and a new sample. @param {number} old @param {number} sample */
function mix(old, sample) { return old > 0 ? (old + sample) / 2 : sample; }
