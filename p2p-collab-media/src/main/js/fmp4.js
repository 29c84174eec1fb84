// @ts-check
/**
 * The little of fragmented MP4 a contributing page needs: cut a MediaRecorder byte stream into its
 * initialization segment and its media segments (one `moof` + `mdat` per key frame), read each
 * segment's decode time, and stamp it with a `prft` box (ISO/IEC 14496-12 ProducerReferenceTime)
 * carrying the wall-clock time its first frame was captured — which every viewer reads back to
 * measure glass-to-glass latency.
 * @module
 */

/** Seconds from 1900 (NTP) to 1970 (Unix). */
const NTP_OFFSET = 2208988800n;

/**
 * Top-level boxes of `bytes` from `from` on: complete ones only.
 * @param {Uint8Array} bytes @param {number} [from] @param {number} [to]
 * @returns {{type: string, start: number, end: number}[]}
 */
export function boxes(bytes, from = 0, to = bytes.length) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  let pos = from;
  while (to - pos >= 8) {
    let size = v.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
    if (size === 1) {
      if (to - pos < 16) break;
      size = Number(v.getBigUint64(pos + 8));
    }
    if (size < 8) throw new Error(`bad box size ${size} at ${pos}`);
    if (pos + size > to) break;
    out.push({ type, start: pos, end: pos + size });
    pos += size;
  }
  return out;
}

/** @param {Uint8Array} bytes @param {{start: number, end: number}} box @param {string} type */
function child(bytes, box, type, header = 8) {
  return boxes(bytes, box.start + header, box.end).find((b) => b.type === type);
}

/**
 * The video track's ID and timescale, from an initialization segment.
 * @param {Uint8Array} init
 * @returns {{trackId: number, timescale: number}}
 */
export function timingTrack(init) {
  const v = new DataView(init.buffer, init.byteOffset, init.byteLength);
  const moov = boxes(init).find((b) => b.type === 'moov');
  if (!moov) throw new Error('no moov box');
  /** @type {{trackId: number, timescale: number} | null} */
  let first = null;
  for (const trak of boxes(init, moov.start + 8, moov.end).filter((b) => b.type === 'trak')) {
    const tkhd = child(init, trak, 'tkhd');
    const mdia = child(init, trak, 'mdia');
    if (!tkhd || !mdia) continue;
    const mdhd = child(init, mdia, 'mdhd');
    const hdlr = child(init, mdia, 'hdlr');
    if (!mdhd || !hdlr) continue;
    const trackId = v.getUint32(tkhd.start + 8 + (init[tkhd.start + 8] === 1 ? 20 : 12));
    const timescale = v.getUint32(mdhd.start + 8 + (init[mdhd.start + 8] === 1 ? 20 : 12));
    const handler = String.fromCharCode(...init.subarray(hdlr.start + 16, hdlr.start + 20));
    const t = { trackId, timescale };
    if (handler === 'vide') return t;
    first ??= t;
  }
  if (!first) throw new Error('no track');
  return first;
}

/**
 * The base media decode time (`tfdt`) of `trackId` in a media segment, or null.
 * @param {Uint8Array} segment @param {number} trackId
 */
export function decodeTime(segment, trackId) {
  const v = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  const moof = boxes(segment).find((b) => b.type === 'moof');
  if (!moof) return null;
  for (const traf of boxes(segment, moof.start + 8, moof.end).filter((b) => b.type === 'traf')) {
    const tfhd = child(segment, traf, 'tfhd');
    const tfdt = child(segment, traf, 'tfdt');
    if (!tfhd || !tfdt || v.getUint32(tfhd.start + 12) !== trackId) continue;
    return segment[tfdt.start + 8] === 1 ? Number(v.getBigUint64(tfdt.start + 12)) : v.getUint32(tfdt.start + 12);
  }
  return null;
}

/**
 * A `prft` box (version 1): media time `mediaTime` of track `trackId` was captured at `wallMs`.
 * @param {number} trackId @param {number} wallMs Unix milliseconds @param {number} mediaTime
 */
export function prftBox(trackId, wallMs, mediaTime) {
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  v.setUint32(0, 32);
  b.set([0x70, 0x72, 0x66, 0x74], 4); // 'prft'
  v.setUint32(8, 0x01000000); // version 1, flags 0
  v.setUint32(12, trackId);
  const ms = BigInt(Math.round(wallMs));
  const seconds = ms / 1000n + NTP_OFFSET;
  const fraction = (((ms % 1000n) << 32n) + 999n) / 1000n; // rounded up: reading back floors
  v.setBigUint64(16, (seconds << 32n) | fraction);
  v.setBigUint64(24, BigInt(mediaTime));
  return b;
}

/**
 * The first `prft` of a media segment: wall-clock Unix milliseconds and the media time they belong
 * to, or null.
 * @param {Uint8Array} segment
 * @returns {{wallMs: number, mediaTime: number} | null}
 */
export function readPrft(segment) {
  let found;
  try { found = boxes(segment).find((b) => b.type === 'prft'); } catch { return null; }
  if (!found || found.end - found.start < 28) return null;
  const v = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  const version = segment[found.start + 8];
  const ntp = v.getBigUint64(found.start + 16);
  const wallMs = Number((ntp >> 32n) - NTP_OFFSET) * 1000 + Number(((ntp & 0xffffffffn) * 1000n) >> 32n);
  const mediaTime = version === 1 ? Number(v.getBigUint64(found.start + 24)) : v.getUint32(found.start + 24);
  return { wallMs, mediaTime };
}

/**
 * Cuts a growing fragmented-MP4 byte stream into its initialization segment and its media
 * segments. Feed it what MediaRecorder delivers; it returns what became complete.
 */
export class FragmentCutter {
  constructor() {
    /** @type {Uint8Array} */ this.pending = new Uint8Array(0);
    /** @type {Uint8Array | null} */ this.init = null;
  }

  /**
   * @param {Uint8Array} chunk
   * @returns {{kind: 'init' | 'segment', bytes: Uint8Array}[]}
   */
  push(chunk) {
    const all = new Uint8Array(this.pending.length + chunk.length);
    all.set(this.pending);
    all.set(chunk, this.pending.length);
    const found = boxes(all);
    /** @type {{kind: 'init' | 'segment', bytes: Uint8Array}[]} */
    const out = [];
    let from = 0;
    for (let i = 0; i < found.length; i++) {
      const b = found[i];
      if (!this.init && b.type === 'moov') {
        this.init = all.slice(from, b.end);
        out.push({ kind: 'init', bytes: this.init });
        from = b.end;
      } else if (this.init && b.type === 'mdat') {
        out.push({ kind: 'segment', bytes: all.slice(from, b.end) });
        from = b.end;
      }
    }
    this.pending = all.slice(from);
    return out;
  }
}
