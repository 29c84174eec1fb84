// @ts-check
/**
 * Signaling messages (docs/protocol.md §1): JSON text frames, encoded canonically (fields in the
 * order of the spec, no whitespace) and decoded with the same rules as the Java codec, so both pass
 * the golden fixtures in p2p-collab-core/src/test/resources/fixtures/signaling.json.
 * @module
 */

export const VERSION = 1;
export const MAX_FRAME_BYTES = 65536;
const MAX_DEPTH = 8;
/** The most peers one `state` may vouch for in `servedBy` (docs/protocol.md). */
export const MAX_SERVED_BY = 8;

export const ERROR_CODES = Object.freeze(['BAD_FRAME', 'FRAME_TOO_LARGE', 'BAD_MESSAGE', 'UNSUPPORTED_VERSION',
  'UNKNOWN_TYPE', 'NOT_REGISTERED', 'UNKNOWN_PEER', 'UNKNOWN_STREAM', 'RATE_LIMITED', 'UNAUTHORIZED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_REPLAYED', 'STREAM_TAKEN', 'BANNED', 'PENDING_LIMIT', 'CLAIM_REFUSED', 'NOT_NEIGHBOUR', 'TOO_MANY_CONNECTIONS', 'HELLO_TIMEOUT', 'INTERNAL']);

/** Where a contribution stands (`contribution.status`). */
export const CONTRIBUTION_STATUSES = Object.freeze(['pending', 'granted', 'denied', 'revoked', 'ended']);

/** A refused frame; `code` is one of {@link ERROR_CODES}. */
export class SignalingError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'SignalingError';
    this.code = code;
  }
}

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;
const PEER_ID = /^[A-Za-z0-9_-]{22}$/;
const PUBLIC_KEY = /^[A-Za-z0-9_-]{43}$/;
const U32_MAX = 0xffffffff;

/** @param {string} why @returns {never} */
function bad(why) { throw new SignalingError('BAD_MESSAGE', why); }

/**
 * Encodes a message object `{type, ...fields}` as a canonical frame.
 * @param {Record<string, any>} m
 * @returns {string}
 */
export function encode(m) {
  /** @type {Record<string, any>} */
  const o = { v: VERSION, type: m.type };
  const opt = (/** @type {string} */ k, /** @type {any} */ v) => { if (v !== undefined && v !== null) o[k] = v; };
  switch (m.type) {
    case 'hello': o.role = m.role; opt('token', m.token); break;
    case 'join': o.stream = m.stream; break;
    case 'state':
      o.streams = m.streams.map((/** @type {any} */ h) => ({ stream: h.stream, segments: h.segments, newest: h.newest }));
      o.uploadSlots = m.uploadSlots;
      if (m.servedBy && m.servedBy.length) o.servedBy = m.servedBy.slice();
      break;
    case 'peers':
      o.stream = m.stream;
      if (m.peers) o.peers = m.peers.map(peerEntry);
      else if (m.max > 0) o.max = m.max;
      break;
    case 'signal':
      opt('to', m.to); opt('from', m.from); o.kind = m.kind; opt('sdp', m.sdp);
      if (m.candidate) {
        /** @type {Record<string, any>} */
        const c = { candidate: m.candidate.candidate };
        if (m.candidate.sdpMid !== undefined && m.candidate.sdpMid !== null) c.sdpMid = m.candidate.sdpMid;
        c.sdpMLineIndex = m.candidate.sdpMLineIndex;
        o.candidate = c;
      }
      break;
    case 'leave': break;
    case 'report': o.peer = m.peer; o.stream = m.stream; o.reason = m.reason; break;
    case 'contribute': o.stream = m.stream; opt('token', m.token); break;
    case 'contribute-stop': o.stream = m.stream; break;
    case 'contribution':
      o.stream = m.stream; o.status = m.status; opt('peer', m.peer); opt('uploadTo', m.uploadTo); opt('reason', m.reason);
      break;
    case 'stream-added': o.stream = streamInfo(m.stream); break;
    case 'stream-removed': o.stream = m.stream; break;
    case 'welcome':
      o.peerId = m.peerId;
      o.iceServers = m.iceServers.map((/** @type {any} */ s) => {
        /** @type {Record<string, any>} */ const r = { urls: [...s.urls] };
        if (s.username != null) r.username = s.username;
        if (s.credential != null) r.credential = s.credential;
        return r;
      });
      o.heartbeatMs = m.heartbeatMs;
      o.streams = m.streams.map(streamInfo);
      break;
    case 'joined': o.stream = streamInfo(m.stream); o.peers = m.peers.map(peerEntry); break;
    case 'peer-left': o.peerId = m.peerId; o.stream = m.stream; break;
    case 'error': o.code = m.code; o.message = m.message; opt('ref', m.ref); break;
    default: throw new TypeError(`cannot encode message type ${m.type}`);
  }
  return JSON.stringify(o);
}

/** @param {any} p */
function peerEntry(p) { return { id: p.id, superPeer: p.superPeer }; }

/** @param {any} s */
function streamInfo(s) {
  /** @type {Record<string, any>} */
  const r = { id: s.id, manifestUrl: s.manifestUrl, hashesUrl: s.hashesUrl };
  if (s.publicKey != null) r.publicKey = s.publicKey;
  if (s.signaturesUrl != null) r.signaturesUrl = s.signaturesUrl;
  return r;
}

/**
 * Decodes one frame into a message object `{type, ...fields}` (absent optional fields are
 * undefined).
 * @param {string} frame
 * @returns {Record<string, any>}
 * @throws {SignalingError}
 */
export function decode(frame) {
  if (typeof frame !== 'string') bad('no frame');
  if (new TextEncoder().encode(frame).length > MAX_FRAME_BYTES) {
    throw new SignalingError('FRAME_TOO_LARGE', `frame over ${MAX_FRAME_BYTES} bytes`);
  }
  const o = parseObject(frame);
  if (typeof o.v !== 'number') bad("missing or non-numeric 'v'");
  if (o.v !== VERSION) throw new SignalingError('UNSUPPORTED_VERSION', `unsupported version ${o.v}`);
  if (typeof o.type !== 'string') bad("missing or non-string 'type'");
  const f = fields(o);
  switch (o.type) {
    case 'hello': return { type: 'hello', role: f.oneOf('role', ['viewer', 'super-peer']), token: f.optString('token') };
    case 'join': return { type: 'join', stream: f.name('stream') };
    case 'state': {
      const seen = new Set();
      const streams = f.list('streams', (e) => {
        const h = fields(object(e, 'streams[]'));
        const stream = h.name('stream');
        if (seen.has(stream)) bad(`stream listed twice: ${stream}`);
        seen.add(stream);
        return { stream, segments: h.integer('segments', 0, 2 ** 31 - 1), newest: h.integer('newest', -1, U32_MAX - 1) };
      });
      const servedBy = f.has('servedBy') ? f.list('servedBy', (e) => {
        if (typeof e !== 'string' || !PEER_ID.test(e)) bad("field 'servedBy[]' is not a peer ID");
        return e;
      }) : [];
      if (servedBy.length > MAX_SERVED_BY) bad(`field 'servedBy' lists more than ${MAX_SERVED_BY} peers`);
      return { type: 'state', streams, uploadSlots: f.integer('uploadSlots', 0, 2 ** 31 - 1), servedBy };
    }
    case 'peers':
      if (f.has('peers')) return { type: 'peers', stream: f.name('stream'), peers: f.list('peers', (e) => decodePeerEntry(object(e, 'peers[]'))) };
      return { type: 'peers', stream: f.name('stream'), max: f.has('max') ? f.integer('max', 1, 2 ** 31 - 1) : undefined };
    case 'signal': {
      const to = f.optPeerId('to');
      const from = f.optPeerId('from');
      const kind = f.oneOf('kind', ['offer', 'answer', 'candidate']);
      const sdp = f.optString('sdp');
      let candidate;
      if (f.has('candidate')) {
        const c = fields(object(o.candidate, 'candidate'));
        candidate = { candidate: c.string('candidate'), sdpMid: c.optString('sdpMid'), sdpMLineIndex: c.integer('sdpMLineIndex', 0, 0xffff) };
      }
      if (to === undefined && from === undefined) bad("a signal needs 'to' or 'from'");
      if (kind === 'candidate') {
        if (!candidate) bad('a candidate signal needs a candidate');
        if (sdp !== undefined) bad('a candidate signal carries no sdp');
      } else {
        if (sdp === undefined) bad('an offer/answer needs an sdp');
        if (candidate) bad('an offer/answer carries no candidate');
      }
      return { type: 'signal', to, from, kind, sdp, candidate };
    }
    case 'leave': return { type: 'leave' };
    case 'report': {
      const r = { type: 'report', peer: f.peerId('peer'), stream: f.name('stream'), reason: f.string('reason') };
      if (r.reason.length < 1 || r.reason.length > 64) bad('reason must be 1-64 characters');
      return r;
    }
    case 'contribute': return { type: 'contribute', stream: f.name('stream'), token: f.optString('token') };
    case 'contribute-stop': return { type: 'contribute-stop', stream: f.name('stream') };
    case 'contribution':
      return {
        type: 'contribution', stream: f.name('stream'), status: f.oneOf('status', CONTRIBUTION_STATUSES),
        peer: f.optPeerId('peer'), uploadTo: f.optPeerId('uploadTo'), reason: f.optString('reason'),
      };
    case 'stream-added': return { type: 'stream-added', stream: decodeStreamInfo(object(o.stream, 'stream')) };
    case 'stream-removed': return { type: 'stream-removed', stream: f.name('stream') };
    case 'welcome':
      return {
        type: 'welcome',
        peerId: f.peerId('peerId'),
        iceServers: f.list('iceServers', (e) => {
          const s = fields(object(e, 'iceServers[]'));
          const urls = s.list('urls', (u) => { if (typeof u !== 'string') bad("field 'urls[]' must be a string"); return u; });
          if (urls.length === 0) bad('an ICE server needs at least one URL');
          return { urls, username: s.optString('username'), credential: s.optString('credential') };
        }),
        heartbeatMs: f.integer('heartbeatMs', 1, 2 ** 31 - 1),
        streams: f.list('streams', (e) => decodeStreamInfo(object(e, 'streams[]'))),
      };
    case 'joined':
      return { type: 'joined', stream: decodeStreamInfo(object(o.stream, 'stream')), peers: f.list('peers', (e) => decodePeerEntry(object(e, 'peers[]'))) };
    case 'peer-left': return { type: 'peer-left', peerId: f.peerId('peerId'), stream: f.name('stream') };
    case 'error': return { type: 'error', code: f.oneOf('code', ERROR_CODES), message: f.string('message'), ref: f.optString('ref') };
    default: throw new SignalingError('UNKNOWN_TYPE', `unknown type '${o.type}'`);
  }
}

/** @param {Record<string, any>} o */
function decodePeerEntry(o) {
  const f = fields(o);
  return { id: f.peerId('id'), superPeer: f.bool('superPeer') };
}

/** @param {Record<string, any>} o */
function decodeStreamInfo(o) {
  const f = fields(o);
  const s = {
    id: f.name('id'), manifestUrl: f.string('manifestUrl'), hashesUrl: f.string('hashesUrl'),
    publicKey: f.optString('publicKey'), signaturesUrl: f.optString('signaturesUrl'),
  };
  if (!s.manifestUrl || !s.hashesUrl) bad('URLs must not be empty');
  if ((s.publicKey === undefined) !== (s.signaturesUrl === undefined)) bad('publicKey and signaturesUrl go together');
  if (s.publicKey !== undefined) {
    if (!PUBLIC_KEY.test(s.publicKey)) bad('publicKey must be 32 bytes of unpadded base64url');
    if (!s.signaturesUrl) bad('URLs must not be empty');
  }
  return s;
}

/** @param {string} frame @returns {Record<string, any>} */
function parseObject(frame) {
  let root;
  try {
    root = JSON.parse(frame);
  } catch (e) {
    bad(`invalid JSON: ${/** @type {Error} */ (e).message}`);
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) bad('not a JSON object');
  if (deeperThan(root, MAX_DEPTH)) bad(`nesting deeper than ${MAX_DEPTH}`);
  return root;
}

/**
 * Whether objects/arrays nest deeper than `limit` (the root object is level 1). Iterative, so a
 * hostile frame nested thousands deep cannot exhaust the stack.
 * @param {any} root @param {number} limit
 */
function deeperThan(root, limit) {
  /** @type {[any, number][]} */
  const todo = [[root, 1]];
  while (todo.length > 0) {
    const [v, level] = /** @type {[any, number]} */ (todo.pop());
    if (level > limit) return true;
    for (const x of Object.values(v)) if (x !== null && typeof x === 'object') todo.push([x, level + 1]);
  }
  return false;
}

/** @param {any} e @param {string} name @returns {Record<string, any>} */
function object(e, name) {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) bad(`field '${name}' must be an object`);
  return e;
}

/** @param {Record<string, any>} o */
function fields(o) {
  const has = (/** @type {string} */ k) => Object.hasOwn(o, k) && o[k] !== null;
  const required = (/** @type {string} */ k) => { if (!has(k)) bad(`missing field '${k}'`); return o[k]; };
  const string = (/** @type {string} */ k) => { const v = required(k); if (typeof v !== 'string') bad(`field '${k}' must be a string`); return v; };
  const peerId = (/** @type {string} */ k) => { const v = string(k); if (!PEER_ID.test(v)) bad(`field '${k}' is not a peer ID`); return v; };
  return {
    has,
    string,
    peerId,
    optString: (/** @type {string} */ k) => (has(k) ? string(k) : undefined),
    optPeerId: (/** @type {string} */ k) => (has(k) ? peerId(k) : undefined),
    name: (/** @type {string} */ k) => { const v = string(k); if (!NAME.test(v)) bad(`field '${k}' is not a valid name`); return v; },
    bool: (/** @type {string} */ k) => { const v = required(k); if (typeof v !== 'boolean') bad(`field '${k}' must be true or false`); return v; },
    /** @param {string} k @param {readonly string[]} values */
    oneOf: (k, values) => { const v = string(k); if (!values.includes(v)) bad(`field '${k}' has unknown value '${v}'`); return v; },
    /** @param {string} k @param {number} min @param {number} max */
    integer: (k, min, max) => {
      const v = required(k);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`field '${k}' must be an integer in [${min}, ${max}]`);
      return v;
    },
    /** @template T @param {string} k @param {(e: any) => T} each @returns {T[]} */
    list: (k, each) => { const v = required(k); if (!Array.isArray(v)) bad(`field '${k}' must be an array`); return v.map(each); },
  };
}
