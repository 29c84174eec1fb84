// @ts-check
/**
 * The standard segment scheduling policy, ported from the Java `SegmentScheduler.standard()`
 * (rules in its Javadoc); both pass fixtures/scheduler.json. Pure and deterministic.
 * @module
 */

/**
 * @typedef {{superPeerUntilSources: number, maxOutstandingPerPeer: number, httpFallbackMarginMs: number, maxFailuresPerPeer: number,
 *   maxLateStrikes: number, minRequestMs: number, maxRequestMs: number, minProgressSampleMs: number}} SchedulerConfig
 */

/** @type {SchedulerConfig} */
export const DEFAULT_CONFIG = Object.freeze({
  superPeerUntilSources: 1, maxOutstandingPerPeer: 2, httpFallbackMarginMs: 1000, maxFailuresPerPeer: 1,
  maxLateStrikes: 2, minRequestMs: 1000, maxRequestMs: 5000, minProgressSampleMs: 500,
});

const utf8 = new TextEncoder();

/** FNV-1a 32-bit over the UTF-8 bytes of `s`, unsigned. @param {string} s */
export function fnv1a32(s) {
  let h = 0x811c9dc5;
  for (const b of utf8.encode(s)) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

/** @template T @param {(t: T) => string} key @param {(t: T) => string} id */
function byHash(key, id) {
  return (/** @type {T} */ a, /** @type {T} */ b) => fnv1a32(key(a)) - fnv1a32(key(b)) || cmp(id(a), id(b));
}
/** @param {string} a @param {string} b */
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Which peers a newcomer asking for a stream is given.
 * @param {{stream: string, asker: string, max: number, candidates: {id: string, superPeer: boolean, segments: number, newest: number, uploadSlots: number}[]}} input
 * @param {SchedulerConfig} [config]
 * @returns {{id: string, superPeer: boolean}[]}
 */
export function selectPeers(input, config = DEFAULT_CONFIG) {
  const superPeers = [], sources = [], others = [];
  let holders = 0;
  for (const c of input.candidates) {
    if (c.id === input.asker) continue;
    if (c.superPeer) { superPeers.push(c); continue; }
    if (c.segments > 0) holders++;
    (c.segments > 0 && c.uploadSlots > 0 ? sources : others).push(c);
  }
  const spread = byHash((/** @type {any} */ c) => `${input.asker}|${c.id}`, (/** @type {any} */ c) => c.id);
  const swarmShort = holders < config.superPeerUntilSources || sources.length === 0;
  const ordered = [...(swarmShort ? superPeers.sort(spread) : []), ...sources.sort(spread), ...others.sort(spread)];
  return ordered.slice(0, input.max).map((c) => ({ id: c.id, superPeer: c.superPeer }));
}

/**
 * @typedef {{action: 'PEER', peer: string} | {action: 'WAIT', untilMs: number} | {action: 'HTTP'}} SourceDecision
 */

/**
 * Where one segment should come from now: a usable neighbour that holds it, or wait for an
 * announcement until the deadline minus the fallback margin, or HTTP. Usable: holds it, has fewer
 * than `maxOutstandingPerPeer` requests outstanding and fewer than `maxFailuresPerPeer` failures
 * for this segment, and — unless it is a super-peer — fell behind fewer than `maxLateStrikes`
 * times since it last delivered on time. Best first: one predicted to finish by the deadline
 * (length / bytesPerSecond, when both are known), a regular peer before a super-peer, fewest
 * outstanding, then the hash.
 * @param {{segment: {stream: string, track: string, number: number}, length?: number, nowMs: number, deadlineMs: number,
 *   neighbours: {id: string, superPeer: boolean, holds: boolean, outstanding: number, failures: number,
 *     lateStrikes?: number, bytesPerSecond?: number}[]}} input
 * @param {SchedulerConfig} [config]
 * @returns {SourceDecision}
 */
export function chooseSource(input, config = DEFAULT_CONFIG) {
  if (input.neighbours.length === 0) return { action: 'HTTP' };
  const s = input.segment;
  const prefix = `${s.stream}/${s.track}/${s.number}|`;
  const hash = byHash((/** @type {any} */ n) => prefix + n.id, (/** @type {any} */ n) => n.id);
  const length = input.length ?? 0;
  const left = input.deadlineMs - input.nowMs;
  // Integer arithmetic, as in Java: late when length * 1000 / rate > time left.
  const late = (/** @type {{bytesPerSecond?: number}} */ n) => {
    const rate = n.bytesPerSecond ?? 0;
    return length > 0 && rate > 0 && length * 1000 > left * rate;
  };
  const usable = input.neighbours
    .filter((n) => n.holds && n.outstanding < config.maxOutstandingPerPeer && n.failures < config.maxFailuresPerPeer
      && (n.superPeer || (n.lateStrikes ?? 0) < config.maxLateStrikes))
    .sort((a, b) => Number(late(a)) - Number(late(b)) || Number(a.superPeer) - Number(b.superPeer)
      || a.outstanding - b.outstanding || hash(a, b));
  if (usable.length > 0) return { action: 'PEER', peer: usable[0].id };
  const fallback = input.deadlineMs - config.httpFallbackMarginMs;
  return input.nowMs < fallback ? { action: 'WAIT', untilMs: fallback } : { action: 'HTTP' };
}

/**
 * The instant a REQUEST sent at `nowMs` for a segment needed at `deadlineMs` must be complete by:
 * the deadline, but at least `minRequestMs` and at most `maxRequestMs` away.
 * @param {{nowMs: number, deadlineMs: number}} input @param {SchedulerConfig} [config]
 */
export function requestDeadline(input, config = DEFAULT_CONFIG) {
  return input.nowMs + Math.min(config.maxRequestMs, Math.max(config.minRequestMs, input.deadlineMs - input.nowMs));
}

/**
 * Whether a transfer under way should be cancelled and the segment asked elsewhere: its request
 * deadline passed, or — once `minProgressSampleMs` passed since the REQUEST *and* since the latest
 * chunk, with some bytes in — the rest, at the pace so far, would arrive after it. Only a transfer
 * that stalled is judged by its pace: chunks that come in bursts (a busy sender, a busy receiver)
 * are not cut for a slow start.
 * @param {{startMs: number, lastChunkMs?: number, nowMs: number, deadlineMs: number, received: number, total: number}} input
 * @param {SchedulerConfig} [config]
 */
export function transferBehind(input, config = DEFAULT_CONFIG) {
  if (input.nowMs >= input.deadlineMs) return true;
  const elapsed = input.nowMs - input.startMs;
  const quiet = input.nowMs - (input.lastChunkMs ?? input.startMs);
  if (input.received <= 0 || elapsed < config.minProgressSampleMs || quiet < config.minProgressSampleMs) return false;
  // remaining / (received / elapsed) > time left, without division
  return (input.total - input.received) * elapsed > (input.deadlineMs - input.nowMs) * input.received;
}
