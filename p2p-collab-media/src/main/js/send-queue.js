// @ts-check
/**
 * The messages waiting for one neighbour's data channel to drain, bounded. A link queues only
 * once the channel's own buffer is over its high-water mark (1 MiB), i.e. when the neighbour reads
 * slower than we write. An honest neighbour keeps this queue short: it asks for at most a couple
 * of segments at a time, and HAVE updates replace one another. A neighbour that keeps asking
 * without reading (every REQUEST it floods us with produces an ERROR or BUSY reply) would grow it
 * without end, so the queue has a cap on messages and on bytes, and refuses what goes past it.
 *
 * Threading: browser main thread only.
 * @module
 */

/** @typedef {{bytes: Uint8Array, capped: boolean, key: string | undefined}} Queued */

export class SendQueue {
  /** @param {{maxMessages: number, maxBytes: number}} limits */
  constructor(limits) {
    this.maxMessages = limits.maxMessages;
    this.maxBytes = limits.maxBytes;
    /** @type {Queued[]} */ this.items = [];
    /** capped messages queued */ this.count = 0;
    /** bytes of the capped messages queued */ this.bytes = 0;
  }

  /** Every message queued, capped or not. */
  get length() { return this.items.length; }

  /**
   * Queues `bytes` at the end. With a `key`, a message queued earlier under the same key is
   * dropped first (a HAVE replaces the previous one of its stream, so only the newest matters).
   * `capped: false` is for messages bounded elsewhere (contribution PUSHes: `maxInFlight`
   * segments at a time).
   * @param {Uint8Array} bytes @param {{capped?: boolean, key?: string}} [o]
   * @returns {boolean} false, and nothing queued, if a cap would be exceeded
   */
  push(bytes, o = {}) {
    const capped = o.capped ?? true;
    if (o.key !== undefined) this.remove((q) => q.key === o.key);
    if (capped && (this.count + 1 > this.maxMessages || this.bytes + bytes.length > this.maxBytes)) return false;
    this.items.push({ bytes, capped, key: o.key });
    if (capped) { this.count++; this.bytes += bytes.length; }
    return true;
  }

  /** The oldest message, removed; undefined when empty. */
  shift() {
    const q = this.items.shift();
    if (q?.capped) { this.count--; this.bytes -= q.bytes.length; }
    return q?.bytes;
  }

  /** Drops the queued DATA chunks of a request (the requester sent CANCEL). @param {number} requestId */
  dropRequest(requestId) {
    this.remove((q) => q.bytes[0] === 0x03 && new DataView(q.bytes.buffer, q.bytes.byteOffset).getUint32(1) === requestId);
  }

  clear() { this.items = []; this.count = 0; this.bytes = 0; }

  /** @param {(q: Queued) => boolean} drop */
  remove(drop) {
    if (!this.items.some(drop)) return;
    this.items = this.items.filter((q) => !drop(q));
    this.count = 0;
    this.bytes = 0;
    for (const q of this.items) if (q.capped) { this.count++; this.bytes += q.bytes.length; }
  }
}
