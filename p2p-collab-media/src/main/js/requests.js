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
 *
 * Threading: browser main thread only.
 * @module
 */
import { Assembler, INIT } from './wire.js';
import { LOW_WATER } from './peer.js';
import { parseFileName } from './stream-state.js';

/** @typedef {import('./neighbours.js').Neighbour} Neighbour */
/** @typedef {'wrong-length' | 'protocol-violation' | 'not-found' | 'no-answer'} BrokenReason */

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
   *   setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout, evictionMargin: number,
   *   onBroken: (id: string, n: Neighbour, stream: string, name: string, reason: BrokenReason) => void,
   * }} o
   */
  constructor(o) {
    this.o = o;
    this.nextRequestId = 1;
  }

  /**
   * Asks `n` for a segment.
   * @param {string} id @param {Neighbour} n @param {string} stream
   * @param {{track: string, number: number, name: string}} ref @param {number} timeoutMs
   * @param {number | undefined} expectedLength the signed length: a first chunk announcing another is refused
   * @returns {Promise<Uint8Array>}
   */
  request(id, n, stream, ref, timeoutMs, expectedLength) {
    const requestId = this.nextRequestId++ >>> 0;
    n.outstanding++;
    return new Promise((/** @type {(b: Uint8Array) => void} */ resolve, reject) => {
      const timer = this.o.setTimeout(() => {
        const p = n.pending.get(requestId);
        n.pending.delete(requestId);
        n.link.send({ type: 'CANCEL', requestId });
        reject(new Error(`peer ${id} timed out`));
        if (p && p.claimed && p.quiet && n.answers === p.answersAtSend && n.link.isOpen) this.o.onBroken(id, n, stream, ref.name, 'no-answer');
      }, timeoutMs);
      n.pending.set(requestId, {
        assembler: new Assembler(requestId),
        expectedLength,
        stream,
        name: ref.name,
        claimed: n.have.get(stream)?.has(ref.name) ?? false,
        quiet: n.link.backlog() <= LOW_WATER,
        answersAtSend: n.answers,
        resolve: (b) => { this.o.clearTimeout(timer); resolve(b); },
        reject: (e) => { this.o.clearTimeout(timer); reject(e); },
      });
      n.link.send({ type: 'REQUEST', requestId, stream, track: ref.track, number: ref.number });
    }).finally(() => { n.outstanding--; });
  }

  /** @param {string} id @param {Neighbour} n @param {{requestId: number, totalLength: number, offset: number, payload: Uint8Array}} m */
  onData(id, n, m) {
    n.answers++;
    const p = n.pending.get(m.requestId);
    if (!p) return; // cancelled or timed out: late chunks are expected
    if (p.assembler.received === 0 && p.expectedLength !== undefined && m.totalLength !== p.expectedLength) {
      this.fail(n, m.requestId, p, `peer ${id} announced ${m.totalLength} bytes, the signed length is ${p.expectedLength}`);
      this.o.onBroken(id, n, p.stream, p.name, 'wrong-length');
      return;
    }
    try {
      if (p.assembler.accept(m)) { n.pending.delete(m.requestId); p.resolve(p.assembler.segment()); }
    } catch (e) {
      this.fail(n, m.requestId, p, `peer ${id} broke the wire protocol: ${/** @type {Error} */ (e).message}`);
      this.o.onBroken(id, n, p.stream, p.name, 'protocol-violation');
    }
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
