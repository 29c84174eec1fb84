package io.p2pcollab.core;

import io.p2pcollab.core.internal.StandardSegmentScheduler;

/**
 * The swarm policy: which peers a newcomer is given, and where each segment is fetched from. A
 * pure function of its immutable input records, returning decision records: no clock, no I/O, no
 * state, so the same input always gives the same decision (on the Java and the browser side alike:
 * {@code fixtures/scheduler.json} holds shared test vectors).
 *
 * <p>Threading: implementations are immutable and safe for concurrent use.
 *
 * <h2>The standard policy</h2>
 *
 * <p>Both decisions spread load with a hash: FNV-1a (32-bit) over the UTF-8 bytes of a key,
 * compared as unsigned; equal hashes are ordered by peer ID.
 *
 * <p><b>{@link #selectPeers}</b> — the asker is never listed. Candidates fall into three groups:
 *
 * <ol>
 *   <li>super-peers, listed only while the swarm is short: fewer than {@link
 *       SchedulerConfig#superPeerUntilSources()} regular peers hold segments of the stream, or no
 *       regular peer could serve the asker (none holds segments <em>and</em> has an upload slot). So
 *       the super-peer steps back as the swarm grows, and comes back when it is full;
 *   <li>regular <em>sources</em>: hold segments ({@code segments > 0}) and have {@code uploadSlots >
 *       0};
 *   <li>the other regular peers (nothing held yet, or no slot): worth connecting to, they will
 *       hold segments soon.
 * </ol>
 *
 * The list is group 1, then 2, then 3, each ordered by the hash of {@code asker + "|" + candidate}
 * (so different askers get different sources), cut at {@code max}.
 *
 * <p><b>{@link #chooseSource}</b> — a neighbour is <em>usable</em> for the segment if it holds it,
 * has fewer than {@link SchedulerConfig#maxOutstandingPerPeer()} requests outstanding and fewer
 * than {@link SchedulerConfig#maxFailuresPerPeer()} failures for this segment. Let {@code
 * fallback = deadline - httpFallbackMargin}.
 *
 * <ol>
 *   <li>No neighbour at all: {@code HTTP}.
 *   <li>A usable neighbour: {@code PEER}, the best by (regular before super-peer, fewest
 *       outstanding, hash of {@code stream/track/number|peer}) — the number in decimal, the init
 *       segment as 4294967295 — so consecutive segments spread over equal neighbours. Used even
 *       past the deadline: a free holder beats a new HTTP request.
 *   <li>Otherwise, before {@code fallback}: {@code WAIT} until {@code fallback} (a neighbour may
 *       announce it, or finish another request); the caller asks again when something changes
 *       or at that instant.
 *   <li>Otherwise: {@code HTTP}.
 * </ol>
 */
public interface SegmentScheduler {

  /** The peers to give {@code in.asker()} for {@code in.stream()}, best first. */
  PeerSelection selectPeers(PeerSelectionInput in);

  /** Where to fetch {@code in.segment()} from, now. */
  SourceDecision chooseSource(SourceInput in);

  /** The standard policy (above) with {@link SchedulerConfig#defaults()}. */
  static SegmentScheduler standard() {
    return standard(SchedulerConfig.defaults());
  }

  /** The standard policy (above) with {@code config}. */
  static SegmentScheduler standard(SchedulerConfig config) {
    return new StandardSegmentScheduler(config);
  }
}
