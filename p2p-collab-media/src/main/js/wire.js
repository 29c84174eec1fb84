// @ts-check
/**
 * The peer wire protocol (docs/protocol.md §2): binary messages over a data channel. Pure
 * encode/decode, chunking and reassembly; the same golden vectors as the Java codec
 * (fixtures/wire.json).
 * @module
 */

export const MAX_PAYLOAD = 16384;
export const MAX_MESSAGE_BYTES = MAX_PAYLOAD + 64;
export const INIT = 0xffffffff;
export const TYPES = Object.freeze({ HAVE: 0x01, REQUEST: 0x02, DATA: 0x03, CANCEL: 0x04, ERROR: 0x05, PUSH: 0x06, ACK: 0x07, STATEMENT: 0x08 });
/** Bytes of a STATEMENT's SHA-256 and Ed25519 signature fields. */
export const SHA256_BYTES = 32;
export const SIGNATURE_BYTES = 64;
/** Wire error codes. */
export const WIRE_ERRORS = Object.freeze({ NOT_FOUND: 1, BUSY: 2, BAD_REQUEST: 3, TOO_LARGE: 4, FORBIDDEN: 5 });
/** `ACK.code` of a stored segment. */
export const STORED = 0;

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A message that cannot be decoded; `code` is BAD_MESSAGE, UNKNOWN_TYPE or FRAME_TOO_LARGE. */
export class WireError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) { super(message); this.name = 'WireError'; this.code = code; }
}

/**
 * @typedef {{type: 'HAVE', stream: string, held: {track: string, number: number}[]}
 *   | {type: 'REQUEST', requestId: number, stream: string, track: string, number: number}
 *   | {type: 'DATA', requestId: number, totalLength: number, offset: number, payload: Uint8Array}
 *   | {type: 'CANCEL', requestId: number}
 *   | {type: 'ERROR', requestId: number, code: number, message: string}
 *   | {type: 'PUSH', number: number, totalLength: number, offset: number, payload: Uint8Array}
 *   | {type: 'ACK', number: number, code: number, message: string}
 *   | {type: 'STATEMENT', requestId: number, length: number, sha256: Uint8Array, sig: Uint8Array}} WireMessage
 */

class Writer {
  constructor() { /** @type {number[]} */ this.bytes = []; }
  /** @param {number} v */ u8(v) { this.bytes.push(v & 0xff); }
  /** @param {number} v */ u16(v) { this.bytes.push((v >>> 8) & 0xff, v & 0xff); }
  /** @param {number} v */ u32(v) { this.bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff); }
  /** @param {string} s */ str8(s) {
    const b = utf8.encode(s);
    if (b.length > 255) throw new RangeError(`string over 255 bytes: ${s.slice(0, 20)}…`);
    this.u8(b.length);
    for (const x of b) this.bytes.push(x);
  }
}

/** @param {number} v @param {string} what */
function checkU32(v, what) {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${what} must be an unsigned 32-bit integer: ${v}`);
}

/**
 * @param {WireMessage} m
 * @returns {Uint8Array}
 */
export function encode(m) {
  const w = new Writer();
  w.u8(TYPES[m.type]);
  switch (m.type) {
    case 'HAVE':
      w.str8(m.stream); w.u16(m.held.length);
      for (const h of m.held) { w.str8(h.track); checkU32(h.number, 'number'); w.u32(h.number); }
      break;
    case 'REQUEST': checkU32(m.requestId, 'requestId'); w.u32(m.requestId); w.str8(m.stream); w.str8(m.track); w.u32(m.number); break;
    case 'DATA':
    case 'PUSH': {
      if (m.payload.length < 1 || m.payload.length > MAX_PAYLOAD) throw new RangeError(`payload must be 1..${MAX_PAYLOAD} bytes`);
      const head = new Uint8Array(13);
      const v = new DataView(head.buffer);
      v.setUint8(0, TYPES[m.type]); v.setUint32(1, m.type === 'DATA' ? m.requestId : m.number); v.setUint32(5, m.totalLength); v.setUint32(9, m.offset);
      const out = new Uint8Array(13 + m.payload.length);
      out.set(head); out.set(m.payload, 13);
      return out;
    }
    case 'CANCEL': w.u32(m.requestId); break;
    case 'ERROR': w.u32(m.requestId); w.u16(m.code); w.str8(m.message); break;
    case 'ACK': checkU32(m.number, 'number'); w.u32(m.number); w.u16(m.code); w.str8(m.message); break;
    case 'STATEMENT':
      checkU32(m.requestId, 'requestId'); w.u32(m.requestId);
      if (m.length < 1) throw new RangeError('a segment is never empty');
      checkU32(m.length, 'length'); w.u32(m.length);
      if (m.sha256.length !== SHA256_BYTES || m.sig.length !== SIGNATURE_BYTES) throw new RangeError('sha256 is 32 bytes, sig 64');
      for (const x of m.sha256) w.u8(x);
      for (const x of m.sig) w.u8(x);
      break;
    default: throw new TypeError(`cannot encode ${/** @type {any} */ (m).type}`);
  }
  const out = Uint8Array.from(w.bytes);
  if (out.length > MAX_MESSAGE_BYTES) throw new RangeError('message too large');
  return out;
}

/**
 * @param {ArrayBuffer | Uint8Array} input
 * @returns {WireMessage}
 * @throws {WireError}
 */
export function decode(input) {
  const b = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (b.length > MAX_MESSAGE_BYTES) throw new WireError('FRAME_TOO_LARGE', `message over ${MAX_MESSAGE_BYTES} bytes`);
  if (b.length === 0) throw new WireError('BAD_MESSAGE', 'empty message');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = 1;
  const need = (/** @type {number} */ n) => { if (pos + n > b.length) throw new WireError('BAD_MESSAGE', 'truncated message'); };
  const u8 = () => { need(1); return view.getUint8(pos++); };
  const u16 = () => { need(2); const v = view.getUint16(pos); pos += 2; return v; };
  const u32 = () => { need(4); const v = view.getUint32(pos); pos += 4; return v; };
  const str8 = () => {
    const n = u8(); need(n);
    try { return fromUtf8.decode(b.subarray(pos, (pos += n))); } catch { throw new WireError('BAD_MESSAGE', 'string is not UTF-8'); }
  };
  const name = (/** @type {string} */ what) => { const s = str8(); if (!NAME.test(s)) throw new WireError('BAD_MESSAGE', `${what} is not a valid name`); return s; };
  const end = () => { if (pos !== b.length) throw new WireError('BAD_MESSAGE', 'trailing bytes'); };
  const type = b[0];
  /** @type {WireMessage} */
  let m;
  switch (type) {
    case TYPES.HAVE: {
      const stream = name('stream');
      const count = u16();
      const held = [];
      for (let i = 0; i < count; i++) held.push({ track: name('track'), number: u32() });
      m = { type: 'HAVE', stream, held };
      break;
    }
    case TYPES.REQUEST: m = { type: 'REQUEST', requestId: u32(), stream: name('stream'), track: name('track'), number: u32() }; break;
    case TYPES.DATA:
    case TYPES.PUSH: {
      const id = u32(), totalLength = u32(), offset = u32();
      const payload = b.slice(pos);
      pos = b.length;
      if (payload.length === 0) throw new WireError('BAD_MESSAGE', 'empty payload');
      if (payload.length > MAX_PAYLOAD) throw new WireError('FRAME_TOO_LARGE', `payload over ${MAX_PAYLOAD} bytes`);
      if (offset + payload.length > totalLength) throw new WireError('BAD_MESSAGE', 'chunk beyond totalLength');
      m = type === TYPES.DATA
        ? { type: 'DATA', requestId: id, totalLength, offset, payload }
        : { type: 'PUSH', number: id, totalLength, offset, payload };
      break;
    }
    case TYPES.CANCEL: m = { type: 'CANCEL', requestId: u32() }; break;
    case TYPES.ERROR: m = { type: 'ERROR', requestId: u32(), code: u16(), message: str8() }; break;
    case TYPES.ACK: m = { type: 'ACK', number: u32(), code: u16(), message: str8() }; break;
    case TYPES.STATEMENT: {
      const requestId = u32(), length = u32();
      if (length === 0) throw new WireError('BAD_MESSAGE', 'a statement about an empty segment');
      need(SHA256_BYTES + SIGNATURE_BYTES);
      const sha256 = b.slice(pos, (pos += SHA256_BYTES));
      const sig = b.slice(pos, (pos += SIGNATURE_BYTES));
      m = { type: 'STATEMENT', requestId, length, sha256, sig };
      break;
    }
    default: throw new WireError('UNKNOWN_TYPE', `unknown message type 0x${type.toString(16).padStart(2, '0')}`);
  }
  end();
  return m;
}

/**
 * Splits a segment into DATA messages of at most `chunkSize` payload bytes.
 * @param {number} requestId @param {Uint8Array} segment @param {number} [chunkSize]
 * @returns {WireMessage[]}
 */
export function split(requestId, segment, chunkSize = MAX_PAYLOAD) {
  if (segment.length === 0) throw new RangeError('a segment is never empty');
  const out = [];
  for (let offset = 0; offset < segment.length; offset += chunkSize) {
    out.push(/** @type {WireMessage} */ ({ type: 'DATA', requestId, totalLength: segment.length, offset, payload: segment.subarray(offset, offset + chunkSize) }));
  }
  return out;
}

/** Reassembles the DATA chunks of one request, in order; refuses anything inconsistent. */
export class Assembler {
  /** @param {number} requestId @param {number} [maxBytes] */
  constructor(requestId, maxBytes = 32 << 20) {
    this.requestId = requestId;
    this.maxBytes = maxBytes;
    /** @type {Uint8Array | null} */ this.buffer = null;
    this.received = 0;
  }

  /**
   * @param {{requestId: number, totalLength: number, offset: number, payload: Uint8Array}} d
   * @returns {boolean} true once the segment is complete
   */
  accept(d) {
    if (d.requestId !== this.requestId) throw new WireError('BAD_MESSAGE', 'chunk for another request');
    if (this.buffer === null) {
      if (d.totalLength > this.maxBytes) throw new WireError('FRAME_TOO_LARGE', `segment over ${this.maxBytes} bytes`);
      this.buffer = new Uint8Array(d.totalLength);
    }
    if (d.totalLength !== this.buffer.length) throw new WireError('BAD_MESSAGE', 'totalLength changed');
    if (d.offset !== this.received) throw new WireError('BAD_MESSAGE', `chunk at ${d.offset}, expected ${this.received}`);
    if (this.received + d.payload.length > this.buffer.length) throw new WireError('BAD_MESSAGE', 'chunk beyond totalLength');
    this.buffer.set(d.payload, d.offset);
    this.received += d.payload.length;
    return this.complete;
  }

  get complete() { return this.buffer !== null && this.received === this.buffer.length; }

  /** The reassembled segment. */
  segment() {
    if (!this.complete || this.buffer === null) throw new Error('segment not complete');
    return this.buffer;
  }
}
