package io.p2pcollab.core;

import io.p2pcollab.core.internal.StandardSegmentScheduler;
import java.time.Instant;

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
 * has fewer than {@link SchedulerConfig#maxOutstandingPerPeer()} requests outstanding, fewer
 * than {@link SchedulerConfig#maxFailuresPerPeer()} failures for this segment and — unless it is
 * a super-peer, whose slowness is its host's business — fewer than {@link
 * SchedulerConfig#maxLateStrikes()} late strikes (transfers that fell behind their deadline in the
 * last 60 s, as its caller counts them): a neighbour that keeps falling behind is demoted. It is
 * <em>predicted late</em> if the segment's length and its throughput are both known and {@code
 * length * 1000 / bytesPerSecond} milliseconds exceed the time left to the deadline. Let {@code
 * fallback = deadline - httpFallbackMargin}.
 *
 * <ol>
 *   <li>No neighbour at all: {@code HTTP}.
 *   <li>A usable neighbour: {@code PEER}, the best by (not predicted late before predicted late,
 *       regular before super-peer, fewest outstanding, hash of {@code stream/track/number|peer})
 *       — the number in decimal, the init segment as 4294967295 — so consecutive segments spread
 *       over equal neighbours. Used even past the deadline: a free holder beats a new HTTP
 *       request.
 *   <li>Otherwise, before {@code fallback}: {@code WAIT} until {@code fallback} (a neighbour may
 *       announce it, or finish another request); the caller asks again when something changes
 *       or at that instant.
 *   <li>Otherwise: {@code HTTP}.
 * </ol>
 *
 * <p><b>{@link #requestDeadline}</b> — a REQUEST sent now for a segment needed at {@code deadline}
 * must be complete by {@code now + clamp(deadline - now, minRequest, maxRequest)}.
 *
 * <p><b>{@link #transferBehind}</b> — a transfer is cancelled (CANCEL) and the segment asked
 * elsewhere, counting a late strike against the neighbour, when its request deadline has come, or
 * when at least {@link SchedulerConfig#minProgressSample()} passed since the REQUEST and since its
 * latest chunk (it stalled), some bytes arrived, and the rest at the pace so far would arrive after
 * the request deadline: {@code (total - received) * elapsed > (deadline - now) * received}. A
 * transfer whose chunks still flow is not judged by its pace: a busy sender or receiver delivers in
 * bursts. Callers judge a transfer whenever a chunk arrives and every 250 ms while it waits. A strike is
 * forgotten 60 s after it was counted, never cleared by a delivery on time (a neighbour slow in
 * bursts, or only for large segments, would clear it with a small one).
 */
public interface SegmentScheduler {

  /** The peers to give {@code in.asker()} for {@code in.stream()}, best first. */
  PeerSelection selectPeers(PeerSelectionInput in);

  /** Where to fetch {@code in.segment()} from, now. */
  SourceDecision chooseSource(SourceInput in);

  /** When a REQUEST sent at {@code now} for a segment needed at {@code deadline} must be complete. */
  Instant requestDeadline(Instant now, Instant deadline);

  /** Whether the transfer {@code p} should be cancelled and its segment asked elsewhere. */
  boolean transferBehind(TransferProgress p);

  /** The standard policy (above) with {@link SchedulerConfig#defaults()}. */
  static SegmentScheduler standard() {
    return standard(SchedulerConfig.defaults());
  }

  /** The standard policy (above) with {@code config}. */
  static SegmentScheduler standard(SchedulerConfig config) {
    return new StandardSegmentScheduler(config);
  }
}
