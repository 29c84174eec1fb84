// @ts-check
/**
 * How much one neighbour may ask of us (docs/protocol.md §2.5): the same rules as the Java peers'
 * `ServingBudget`, pinned by fixtures/serving.json. Pure: the caller passes the time.
 *
 * Every REQUEST takes a token; tokens refill at `perSecond` up to `burst`. A request is served
 * while the neighbour has fewer than `maxConcurrent` transfers under way and a token is left;
 * otherwise it is refused (ERROR BUSY, no work). Refusals — and anything else refused elsewhere,
 * such as a reply that would overflow the send queue or an unknown message answered with ERROR —
 * pile up and drain at `perSecond`; once more than `maxRefusals` are piled up the neighbour is
 * cut. An honest requester asks for about one segment per segment duration and stream, at most
 * two at a time, so it is never cut: only a neighbour asking far faster than it can use is.
 *
 * Threading: browser main thread only.
 * @module
 */

/** @typedef {{maxConcurrent: number, burst: number, perSecond: number, maxRefusals: number}} ServingConfig */

/** @type {ServingConfig} */
export const SERVING_DEFAULTS = Object.freeze({ maxConcurrent: 4, burst: 16, perSecond: 8, maxRefusals: 32 });

/** @typedef {'SERVE' | 'BUSY' | 'CUT'} ServingDecision */

export class ServingBudget {
  /** @param {ServingConfig} [config] */
  constructor(config = SERVING_DEFAULTS) {
    this.config = config;
    this.tokens = config.burst;
    this.refusals = 0;
    /** @type {number | null} */ this.lastMs = null;
    this.cut = false;
  }

  /**
   * A REQUEST arrived while `active` of this neighbour's requests are being served.
   * @param {number} nowMs @param {number} active @returns {ServingDecision}
   */
  request(nowMs, active) {
    this.pass(nowMs);
    if (this.cut) return 'CUT';
    if (active < this.config.maxConcurrent && this.tokens >= 1) {
      this.tokens -= 1;
      return 'SERVE';
    }
    return this.refuseNow();
  }

  /**
   * Something of this neighbour's was refused elsewhere (a reply that would overflow the send
   * queue, an unknown message answered with ERROR).
   * @param {number} nowMs @returns {'BUSY' | 'CUT'}
   */
  refuse(nowMs) {
    this.pass(nowMs);
    return this.cut ? 'CUT' : this.refuseNow();
  }

  /** @returns {'BUSY' | 'CUT'} */
  refuseNow() {
    this.refusals += 1;
    if (this.refusals > this.config.maxRefusals) this.cut = true;
    return this.cut ? 'CUT' : 'BUSY';
  }

  /** Refills tokens and drains refusals for the time since the last event (never backwards). @param {number} nowMs */
  pass(nowMs) {
    const elapsed = this.lastMs === null ? 0 : Math.max(0, nowMs - this.lastMs);
    this.lastMs = this.lastMs === null ? nowMs : Math.max(this.lastMs, nowMs);
    const refill = (elapsed * this.config.perSecond) / 1000;
    this.tokens = Math.min(this.config.burst, this.tokens + refill);
    this.refusals = Math.max(0, this.refusals - refill);
  }
}
