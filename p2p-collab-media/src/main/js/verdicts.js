// @ts-check
/**
 * What the Content Loader does with a neighbour that misbehaved: cut it, block it for the rest of
 * the visit, and report it to the Tracker — once per peer and visit (docs/protocol.md §1.2 lists
 * the reasons). Being slow is not misbehaving: see requests.js.
 *
 * - bad data (`bad-segment`, `wrong-length`, `protocol-violation`): {@link Verdicts#punish};
 * - a claim it did not honour (`not-found`, `no-answer`): {@link Verdicts#claimBroken} — the
 *   super-peer is reported but kept (its failures are its host's business);
 * - asking far more than it can use (`flooding`) or never draining what it asked for
 *   (`not-draining`): {@link Verdicts#cut}.
 *
 * Events dispatched on `events` (the loader): `bad-segment` (detail: {stream, fileName, peer,
 * reason}), `cut` (detail: {peer, reason}), `report` (detail: {peer, stream, fileName, reason}).
 *
 * Threading: browser main thread only.
 * @module
 */

export class Verdicts {
  /**
   * @param {{
   *   signaling: {report: (peer: string, stream: string, reason: string) => void},
   *   slots: {block: (id: string, why: string) => void},
   *   events: EventTarget,
   * }} o
   */
  constructor(o) {
    this.o = o;
    /** @type {Set<string>} peers reported to the Tracker: one report per peer and visit */
    this.reported = new Set();
  }

  /**
   * A neighbour sent bad data: cut it at once, never connect to it again this visit, report it.
   * @param {string} id @param {string} name the segment (empty if none) @param {string} reason @param {string} stream
   */
  punish(id, name, reason, stream) {
    this.o.events.dispatchEvent(new CustomEvent('bad-segment', { detail: { stream, fileName: name, peer: id, reason } }));
    this.o.slots.block(id, `sent bad data (${reason})`);
    this.report(id, stream, name, reason);
  }

  /**
   * A neighbour claimed a segment and did not serve it: report it and, unless it is the
   * super-peer, cut and block it.
   * @param {string} id @param {boolean} superPeer @param {string} stream @param {string} name @param {string} reason
   */
  claimBroken(id, superPeer, stream, name, reason) {
    this.report(id, stream, name, reason);
    if (!superPeer) this.o.slots.block(id, `claimed ${name} but did not serve it (${reason})`);
  }

  /**
   * A neighbour asked far more than it can use, or never drained what it asked for.
   * @param {string} id @param {string} reason @param {string} stream
   */
  cut(id, reason, stream) {
    this.o.slots.block(id, `cut: ${reason}`);
    this.report(id, stream, '', reason);
    this.o.events.dispatchEvent(new CustomEvent('cut', { detail: { peer: id, reason } }));
  }

  /**
   * Reports `id` to the Tracker, unless it was reported already during this visit.
   * @param {string} id @param {string} stream @param {string} name @param {string} reason
   */
  report(id, stream, name, reason) {
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.o.signaling.report(id, stream, reason);
    this.o.events.dispatchEvent(new CustomEvent('report', { detail: { peer: id, stream, fileName: name, reason } }));
  }
}
