// @ts-check
/**
 * The Content Loader's record of its latest loads, for diagnostics: what to read when a viewer
 * stalled (`loader.recentLoads()`; the demo page's `p2pDemo.diagnostics()`).
 *
 * Threading: browser main thread only.
 * @module
 */

/** How many recent loads are kept: about four minutes of a 2-track stream of 1 s segments. */
export const LOAD_LOG_SIZE = 512;

/**
 * One load: `neededInMs` is how far ahead of the request playback needed the segment, `tookMs` how
 * long it took (-1 while under way), `statementMs` how long until its signed statement (or hash)
 * was known, `waitedMs` how long it waited for a neighbour to announce it, `source` where it came
 * from (null if it failed or is under way), `tries` each neighbour asked (`peer: 'http'` for HTTP),
 * with how long the try took and how it ended (`ok` or why it failed).
 * @typedef {{stream: string, name: string, atMs: number, neededInMs: number, tookMs: number, statementMs: number, waitedMs: number,
 *   source: import('./stream-state.js').Source | null, tries: {peer: string, superPeer: boolean, ms: number, outcome: string}[]}} LoadRecord
 */

export class LoadLog {
  constructor(size = LOAD_LOG_SIZE) {
    this.size = size;
    /** @type {LoadRecord[]} oldest first */
    this.records = [];
  }

  /**
   * Starts the record of a load; the loader fills it in as the load goes on.
   * @param {string} stream @param {string} name @param {number} atMs @param {number} deadlineMs
   * @returns {LoadRecord}
   */
  start(stream, name, atMs, deadlineMs) {
    /** @type {LoadRecord} */
    const r = { stream, name, atMs, neededInMs: Math.round(deadlineMs - atMs), tookMs: -1, statementMs: -1, waitedMs: 0, source: null, tries: [] };
    this.records.push(r);
    if (this.records.length > this.size) this.records.shift();
    return r;
  }

  /** Copies of the records, oldest first. @returns {LoadRecord[]} */
  recent() { return this.records.map((r) => ({ ...r, tries: r.tries.map((t) => ({ ...t })) })); }
}
