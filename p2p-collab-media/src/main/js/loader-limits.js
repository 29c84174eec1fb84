// @ts-check
/**
 * The Content Loader's limits and their defaults (its constructor options of the same names).
 * @module
 */
import { LINK_DEFAULTS } from './peer.js';
import { SLOT_DEFAULTS } from './neighbours.js';

/**
 * The loader's limits, each a constructor option of the same name, with its default:
 * - `maxInbound` 4: links other peers opened to us; offers beyond are ignored.
 * - `maxOutbound` 4: links we open to peers the Coordinator hands us; we top up to it.
 * - `idleLinkMs` 5 000: a link that carries no REQUEST (or PUSH) in either direction within this
 *   long of opening is closed (the upload link to the ingesting super-peer is exempt).
 * - `maxQueuedMessages` 1 024 and `maxQueuedBytes` 8 MiB: per neighbour, what may wait for its
 *   data channel to drain; a neighbour that makes us exceed either is cut and never reconnected.
 * - `maxQueuedChunks` 256: a REQUEST is answered BUSY once that many messages wait for the
 *   neighbour, or when the segment would fill over half of `maxQueuedBytes` (room stays for replies).
 * - `serving` (serving-budget.js `SERVING_DEFAULTS`): what each neighbour may ask of us — 4
 *   transfers at once, bursts of 16 requests refilling at 8/s; past 32 refusals it is cut.
 * - `windowSegments` 60: media segments held and served, per stream.
 * - `evictionMargin` 4: a NOT_FOUND for one of the this-many oldest media segments of its track a
 *   neighbour lists is an honest eviction race, not a lie.
 */
export const LOADER_DEFAULTS = Object.freeze({
  ...SLOT_DEFAULTS,
  idleLinkMs: LINK_DEFAULTS.idleMs,
  maxQueuedMessages: LINK_DEFAULTS.maxQueuedMessages,
  maxQueuedBytes: LINK_DEFAULTS.maxQueuedBytes,
  maxQueuedChunks: 256,
  windowSegments: 60,
  evictionMargin: 4,
});

/**
 * @typedef {{
 *   maxInbound?: number, maxOutbound?: number, idleLinkMs?: number,
 *   maxQueuedMessages?: number, maxQueuedBytes?: number, maxQueuedChunks?: number,
 *   windowSegments?: number, evictionMargin?: number, serving?: import('./serving-budget.js').ServingConfig,
 * }} LoaderLimits  defaults in {@link LOADER_DEFAULTS}
 */
