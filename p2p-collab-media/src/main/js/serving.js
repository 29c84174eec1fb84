// @ts-check
/**
 * The Content Loader's serving side: answering neighbours' REQUESTs with the segments it holds,
 * within what each neighbour may ask (docs/protocol.md §2.5).
 *
 * - Every REQUEST goes through the neighbour's {@link ServingBudget}: served, refused with ERROR
 *   BUSY and no work, or — for a neighbour that keeps asking far faster than anyone can use —
 *   cut: `onCut(id, n, 'flooding')`. Replies that would take the send queue past its caps, and
 *   unknown messages answered with ERROR, count as refusals too.
 * - A neighbour that asked and never drains what it was sent (its data channel's buffer over the
 *   high-water mark, with no byte leaving it, for `stuckMs`) is cut: `onCut(id, n, 'not-draining')`.
 *   Checked by {@link Serving#sweep}, which the loader calls every few seconds.
 *
 * Threading: browser main thread only.
 * @module
 */
import { HIGH_WATER } from './peer.js';
import { ServingBudget, SERVING_DEFAULTS } from './serving-budget.js';
import { fileName } from './stream-state.js';
import { split, WIRE_ERRORS } from './wire.js';

/** @typedef {import('./neighbours.js').Neighbour} Neighbour */
/** @typedef {'flooding' | 'not-draining'} CutReason */

/** How long a neighbour's buffer may stay full with nothing leaving it before it is cut. */
export const STUCK_MS = 30_000;

export class Serving {
  /**
   * @param {{
   *   now: () => number,
   *   segment: (stream: string, name: string) => {data: Uint8Array, statement: import('./wire.js').WireMessage | null} | undefined,
   *   budget?: import('./serving-budget.js').ServingConfig,
   *   maxQueuedChunks: number,
   *   stuckMs?: number,
   *   onCut: (id: string, n: Neighbour, reason: CutReason) => void,
   * }} o
   */
  constructor(o) {
    this.o = o;
    this.budgetConfig = o.budget ?? SERVING_DEFAULTS;
    this.stuckMs = o.stuckMs ?? STUCK_MS;
    /** Segment bytes handed to neighbours' links. */
    this.uploaded = 0;
    /** REQUESTs answered BUSY. */
    this.refused = 0;
    /** @type {WeakMap<Neighbour, ServingBudget>} */
    this.budgets = new WeakMap();
    /** @type {WeakMap<Neighbour, {since: number, sent: number}>} when its buffer was first seen full, and bytes sent then */
    this.stuck = new WeakMap();
  }

  /** @param {Neighbour} n */
  budget(n) {
    let b = this.budgets.get(n);
    if (!b) this.budgets.set(n, (b = new ServingBudget(this.budgetConfig)));
    return b;
  }

  /**
   * Answers a REQUEST: the segment's STATEMENT (signed streams) and DATA chunks, NOT_FOUND, or BUSY — over the neighbour's
   * budget, or when its send queue is already long (`maxQueuedChunks` messages, or the segment
   * would fill over half of the byte cap: room stays for small replies).
   * @param {string} id @param {Neighbour} n @param {{requestId: number, stream: string, track: string, number: number}} m
   */
  serve(id, n, m) {
    const q = n.link.queue;
    const decision = this.budget(n).request(this.o.now(), activeRequests(q));
    if (decision === 'CUT') return this.o.onCut(id, n, 'flooding');
    if (decision === 'BUSY') return this.busy(n, m.requestId);
    const held = this.o.segment(m.stream, fileName(m.track, m.number));
    if (!held) return void n.link.send({ type: 'ERROR', requestId: m.requestId, code: WIRE_ERRORS.NOT_FOUND, message: 'not held' });
    const { data, statement } = held;
    if (q.count >= this.o.maxQueuedChunks || q.bytes + data.length > q.maxBytes / 2) {
      if (this.refuse(id, n)) this.busy(n, m.requestId);
      return;
    }
    // A signed stream's answer opens with the segment's statement (docs/protocol.md §2.7).
    if (statement) n.link.send({ ...statement, requestId: m.requestId });
    for (const chunk of split(m.requestId, data)) n.link.send(chunk);
    this.uploaded += data.length;
  }

  /**
   * Counts a refusal against `n` (e.g. an unknown message answered with ERROR).
   * @param {string} id @param {Neighbour} n @returns {boolean} false if it was cut for it
   */
  refuse(id, n) {
    if (this.budget(n).refuse(this.o.now()) === 'CUT') {
      this.o.onCut(id, n, 'flooding');
      return false;
    }
    return true;
  }

  /** @param {Neighbour} n @param {number} requestId */
  busy(n, requestId) {
    this.refused++;
    n.link.send({ type: 'ERROR', requestId, code: WIRE_ERRORS.BUSY, message: 'busy' });
  }

  /**
   * Cuts neighbours whose buffer stayed full, with nothing leaving it, for `stuckMs`.
   * @param {[string, Neighbour][]} open
   */
  sweep(open) {
    const now = this.o.now();
    for (const [id, n] of open) {
      const full = (n.link.channel?.bufferedAmount ?? 0) > HIGH_WATER && n.link.queue.length > 0;
      const s = this.stuck.get(n);
      if (!full || (s && n.link.bytesSent !== s.sent)) {
        if (full) this.stuck.set(n, { since: now, sent: n.link.bytesSent }); else this.stuck.delete(n);
      } else if (!s) {
        this.stuck.set(n, { since: now, sent: n.link.bytesSent });
      } else if (now - s.since >= this.stuckMs) {
        this.o.onCut(id, n, 'not-draining');
      }
    }
  }
}

/**
 * Requests whose DATA still waits in our queue for the neighbour: the transfers under way to it.
 * (Chunks already in the data channel's own buffer are on their way.)
 * @param {import('./send-queue.js').SendQueue} q
 */
function activeRequests(q) {
  if (q.length === 0) return 0;
  const ids = new Set();
  for (const item of q.items) {
    const b = item.bytes;
    if (b[0] === 0x03) ids.add(new DataView(b.buffer, b.byteOffset).getUint32(1));
  }
  return ids.size;
}
