// @ts-check
/**
 * The standard segment scheduling policy, ported from the Java `SegmentScheduler.standard()`
 * (rules in its Javadoc); both pass fixtures/scheduler.json. Pure and deterministic.
 * @module
 */

/** @typedef {{superPeerUntilSources: number, maxOutstandingPerPeer: number, httpFallbackMarginMs: number, maxFailuresPerPeer: number}} SchedulerConfig */

/** @type {SchedulerConfig} */
export const DEFAULT_CONFIG = Object.freeze({ superPeerUntilSources: 1, maxOutstandingPerPeer: 2, httpFallbackMarginMs: 1000, maxFailuresPerPeer: 1 });

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
 * Where one segment should come from now: a neighbour that holds it (regular peers before the
 * super-peer, fewest outstanding requests first), or wait for an announcement until the deadline
 * minus the fallback margin, or HTTP.
 * @param {{segment: {stream: string, track: string, number: number}, nowMs: number, deadlineMs: number,
 *   neighbours: {id: string, superPeer: boolean, holds: boolean, outstanding: number, failures: number}[]}} input
 * @param {SchedulerConfig} [config]
 * @returns {SourceDecision}
 */
export function chooseSource(input, config = DEFAULT_CONFIG) {
  if (input.neighbours.length === 0) return { action: 'HTTP' };
  const s = input.segment;
  const prefix = `${s.stream}/${s.track}/${s.number}|`;
  const hash = byHash((/** @type {any} */ n) => prefix + n.id, (/** @type {any} */ n) => n.id);
  const usable = input.neighbours
    .filter((n) => n.holds && n.outstanding < config.maxOutstandingPerPeer && n.failures < config.maxFailuresPerPeer)
    .sort((a, b) => Number(a.superPeer) - Number(b.superPeer) || a.outstanding - b.outstanding || hash(a, b));
  if (usable.length > 0) return { action: 'PEER', peer: usable[0].id };
  const fallback = input.deadlineMs - config.httpFallbackMarginMs;
  return input.nowMs < fallback ? { action: 'WAIT', untilMs: fallback } : { action: 'HTTP' };
}
