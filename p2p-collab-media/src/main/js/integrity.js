// @ts-check
/**
 * Signed integrity for browser peers (docs/protocol.md "Signed integrity"): checks segments that
 * other peers hand us against the stream's Ed25519 public key, with WebCrypto. The Java twin is
 * io.p2pcollab.core.SegmentVerifier; both pass fixtures/integrity.json.
 *
 * Use: on `joined`, `createVerifier(crypto.subtle, stream.publicKey)`. A segment's statement
 * comes with it (docs/protocol.md §2.7): a peer's STATEMENT before its DATA, the origin's
 * `P2P-Collab-Statement` header (`parseEntry`). `verify(ref, entry)` it; refuse the first DATA
 * chunk unless its totalLength is `entry.length`; play or re-share the assembled segment only if
 * `matches(entry, bytes)`. Any failure means the sending peer broke the protocol: drop the
 * segment, cut the peer, fetch again elsewhere. `verifyAll` reads a whole `signatures.json`
 * (tools, tests; peers do not poll it).
 *
 * Dependency-free; the SubtleCrypto is injected (`globalThis.crypto.subtle` in browsers and
 * Node 20). Needs WebCrypto Ed25519 (Chromium 137+, Firefox 129+, Safari 17+, Node 20).
 */

/** Domain-separation prefix of every signed statement. */
export const CONTEXT = 'p2p-collab/segment/v1';
/** The segment number of a representation's initialization segment. */
export const INIT = 0xffffffff;
/** Largest signatures.json accepted, in characters (1 MiB). */
export const MAX_SIGNATURES_CHARS = 1 << 20;

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;
const INIT_FILE = /^init-stream(.+)\.m4s$/;
const CHUNK_FILE = /^chunk-stream(.+)-([0-9]{5,10})\.m4s$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALGORITHM = { name: 'Ed25519' };

/**
 * @typedef {object} SegmentRef
 * @property {string} stream stream ID
 * @property {string} track DASH representation ID
 * @property {number} number DASH $Number$, or INIT
 */

/**
 * One entry of signatures.json.
 * @typedef {object} SegmentSignature
 * @property {number} length segment size in bytes, 1..2^32-1
 * @property {string} sha256 lower-case hex SHA-256 of the segment
 * @property {string} sig Ed25519 signature, unpadded canonical base64url (86 characters)
 */

/**
 * @typedef {object} VerifyAllResult
 * @property {Map<string, {ref: SegmentRef, entry: SegmentSignature}>} trusted verified entries by file name, in file order
 * @property {Map<string, string>} rejected names of the entries left out (cut to 80 characters) and why
 */

/** A signatures.json that cannot be used at all; `code` is a stable error code of §3. */
export class IntegrityError extends Error {
  /**
   * @param {'BAD_MESSAGE' | 'FRAME_TOO_LARGE'} code
   * @param {string} message
   */
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.name = 'IntegrityError';
    this.code = code;
  }
}

/**
 * `init-stream{track}.m4s` or `chunk-stream{track}-{number:05d}.m4s`.
 * @param {SegmentRef} ref
 * @returns {string}
 */
export function fileName(ref) {
  return ref.number === INIT
    ? `init-stream${ref.track}.m4s`
    : `chunk-stream${ref.track}-${String(ref.number).padStart(5, '0')}.m4s`;
}

/**
 * The segment a file name stands for, or null if the name is not one of ours in its canonical
 * spelling (so the mapping stays one to one, as in Java's SegmentRef.fromFileName).
 * @param {string} stream
 * @param {string} name
 * @returns {SegmentRef | null}
 */
export function refFromFileName(stream, name) {
  if (!NAME.test(stream) || typeof name !== 'string') return null;
  const init = INIT_FILE.exec(name);
  if (init) return NAME.test(init[1]) ? { stream, track: init[1], number: INIT } : null;
  const chunk = CHUNK_FILE.exec(name);
  if (!chunk || !NAME.test(chunk[1])) return null;
  const ref = { stream, track: chunk[1], number: Number(chunk[2]) };
  return ref.number < INIT && fileName(ref) === name ? ref : null;
}

/**
 * The exact bytes signed for a segment: CONTEXT, 0x00, str8 stream, str8 track, u32 number,
 * u32 length, 32 bytes SHA-256 (big-endian; strings ASCII with a one-byte length).
 * @param {SegmentRef} ref
 * @param {number} length
 * @param {Uint8Array} sha256
 * @returns {Uint8Array}
 */
export function statement(ref, length, sha256) {
  if (!NAME.test(ref.stream) || !NAME.test(ref.track)) throw new TypeError('stream and track must be IDs');
  if (!isU32(ref.number) || !isU32(length)) throw new TypeError('number and length must be u32');
  if (sha256.length !== 32) throw new TypeError('sha256 must be 32 bytes');
  const out = new Uint8Array(CONTEXT.length + 1 + 1 + ref.stream.length + 1 + ref.track.length + 8 + 32);
  const view = new DataView(out.buffer);
  let at = 0;
  const ascii = (/** @type {string} */ s) => { for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i); };
  ascii(CONTEXT);
  out[at++] = 0;
  out[at++] = ref.stream.length;
  ascii(ref.stream);
  out[at++] = ref.track.length;
  ascii(ref.track);
  view.setUint32(at, ref.number);
  view.setUint32(at + 4, length);
  out.set(sha256, at + 8);
  return out;
}

/**
 * One signatures.json entry, checked field by field; unknown fields are ignored.
 * @param {unknown} value
 * @returns {SegmentSignature}
 * @throws {TypeError} if it is malformed
 */
export function parseEntry(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError('entry is not an object');
  const { length, sha256, sig } = /** @type {Record<string, unknown>} */ (value);
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > INIT) {
    throw new TypeError('length must be an integer in 1..2^32-1');
  }
  if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) throw new TypeError('sha256 must be 64 lower-case hex digits');
  if (typeof sig !== 'string') throw new TypeError('sig must be a string');
  decodeBase64Url(sig, 64);
  return { length, sha256, sig };
}

/**
 * Decodes unpadded base64url of exactly `bytes` bytes, in its canonical spelling only.
 * @param {string} text
 * @param {number} bytes
 * @returns {Uint8Array}
 * @throws {TypeError} otherwise
 */
export function decodeBase64Url(text, bytes) {
  const chars = Math.ceil((bytes * 4) / 3);
  if (typeof text !== 'string' || text.length !== chars || !BASE64URL.test(text)) {
    throw new TypeError(`must be ${chars} base64url characters`);
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (chars % 4)) % 4));
  const out = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  if (out.length !== bytes || encodeBase64Url(out) !== text) throw new TypeError(`is not canonical base64url of ${bytes} bytes`);
  return out;
}

/**
 * @param {Uint8Array} bytes
 * @returns {string} unpadded base64url
 */
export function encodeBase64Url(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A verifier for the stream key `publicKey` (raw 32-byte Ed25519 key, base64url, 43 characters,
 * as in `joined.stream.publicKey`).
 * @param {SubtleCrypto} subtle
 * @param {string} publicKey
 * @returns {Promise<SegmentVerifier>}
 * @throws {TypeError} (rejects) if it is not a public key
 * @throws {Error} (rejects) the platform's NotSupportedError if WebCrypto has no Ed25519: then
 *   peer-to-peer cannot be used, fetch everything over HTTP
 */
export async function createVerifier(subtle, publicKey) {
  const raw = decodeBase64Url(publicKey, 32);
  let key;
  try {
    key = await subtle.importKey('raw', asBufferSource(raw), ALGORITHM, false, ['verify']);
  } catch (e) {
    // A browser without WebCrypto Ed25519 cannot verify: the caller falls back to HTTP only.
    if (e instanceof Error && e.name === 'NotSupportedError') throw e;
    throw new TypeError(`not an Ed25519 public key: ${e instanceof Error ? e.message : e}`);
  }
  return new SegmentVerifier(subtle, publicKey, key);
}

/** Checks entries and segments against one stream key. Stateless; make it with createVerifier. */
export class SegmentVerifier {
  /**
   * @param {SubtleCrypto} subtle
   * @param {string} publicKey
   * @param {CryptoKey} key
   */
  constructor(subtle, publicKey, key) {
    /** @private */ this.subtle = subtle;
    /** @readonly */ this.publicKey = publicKey;
    /** @private */ this.key = key;
  }

  /**
   * True if `entry` is the stream key's signature over `ref`'s length and SHA-256.
   * @param {SegmentRef} ref
   * @param {SegmentSignature} entry
   * @returns {Promise<boolean>}
   */
  async verify(ref, entry) {
    try {
      const checked = parseEntry(entry);
      const data = statement(ref, checked.length, hexToBytes(checked.sha256));
      return await this.subtle.verify(ALGORITHM, this.key, asBufferSource(decodeBase64Url(checked.sig, 64)), asBufferSource(data));
    } catch {
      return false;
    }
  }

  /**
   * True if `bytes` has the length and SHA-256 of `entry`. Says nothing about the signature: use
   * it on trusted entries.
   * @param {SegmentSignature} entry
   * @param {Uint8Array} bytes
   * @returns {Promise<boolean>}
   */
  async matches(entry, bytes) {
    if (bytes.length !== entry.length) return false;
    const digest = new Uint8Array(await this.subtle.digest('SHA-256', asBufferSource(bytes)));
    return bytesToHex(digest) === entry.sha256;
  }

  /**
   * True if `bytes` is the genuine content of `ref`: the signature verifies and the bytes match.
   * @param {SegmentRef} ref
   * @param {SegmentSignature} entry
   * @param {Uint8Array} bytes
   * @returns {Promise<boolean>}
   */
  async verifySegment(ref, entry, bytes) {
    return (await this.matches(entry, bytes)) && (await this.verify(ref, entry));
  }

  /**
   * The entries of `text`, the signatures.json of `stream`, whose signatures verify. Malformed,
   * misnamed or forged entries are left out and listed in `rejected`; the others stay usable.
   * @param {string} stream
   * @param {string} text
   * @returns {Promise<VerifyAllResult>}
   * @throws {IntegrityError} (rejects) FRAME_TOO_LARGE over MAX_SIGNATURES_CHARS, BAD_MESSAGE if not one JSON object
   * @throws {TypeError} (rejects) if `stream` is not a stream ID
   */
  async verifyAll(stream, text) {
    if (!NAME.test(stream)) throw new TypeError('stream must be an ID');
    if (typeof text !== 'string') throw new IntegrityError('BAD_MESSAGE', 'no signatures');
    if (text.length > MAX_SIGNATURES_CHARS) {
      throw new IntegrityError('FRAME_TOO_LARGE', `signatures over ${MAX_SIGNATURES_CHARS} characters`);
    }
    let root;
    try {
      root = JSON.parse(text);
    } catch (e) {
      throw new IntegrityError('BAD_MESSAGE', `invalid signatures JSON: ${e instanceof Error ? e.message : e}`);
    }
    if (root === null || typeof root !== 'object' || Array.isArray(root)) {
      throw new IntegrityError('BAD_MESSAGE', 'signatures are not a JSON object');
    }
    /** @type {VerifyAllResult} */
    const result = { trusted: new Map(), rejected: new Map() };
    for (const [name, value] of Object.entries(root)) {
      const ref = refFromFileName(stream, name);
      if (!ref) {
        result.rejected.set(name.length <= 80 ? name : `${name.slice(0, 80)}...`, 'not a segment file name');
        continue;
      }
      let entry;
      try {
        entry = parseEntry(value);
      } catch (e) {
        result.rejected.set(name, e instanceof Error ? e.message : String(e));
        continue;
      }
      if (!(await this.verify(ref, entry))) {
        result.rejected.set(name, 'signature does not verify');
        continue;
      }
      result.trusted.set(name, { ref, entry });
    }
    return result;
  }
}

/**
 * Newer TypeScript DOM typings refuse a Uint8Array that might view a SharedArrayBuffer; WebCrypto
 * takes either, and callers hand us plain ones.
 * @param {Uint8Array} bytes
 * @returns {BufferSource}
 */
function asBufferSource(bytes) {
  return /** @type {BufferSource} */ (bytes);
}

/** @param {number} v */
function isU32(v) {
  return Number.isInteger(v) && v >= 0 && v <= INIT;
}

/** @param {string} hex */
function hexToBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** @param {Uint8Array} bytes */
function bytesToHex(bytes) {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}
