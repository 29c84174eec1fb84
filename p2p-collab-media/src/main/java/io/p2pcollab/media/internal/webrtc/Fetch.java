package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentAssembler;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Expected;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One segment a {@link WebRtcViewer} is getting: what it must match (once known), when it is
 * needed, where it is asked now, and who failed it already. Threading: confined to the viewer's
 * executor.
 */
final class Fetch {
  final SegmentRef ref;
  /** Whether the origin is asked when the scheduler says HTTP ({@code load}). */
  final boolean httpFallback;
  final CompletableFuture<WebRtcViewer.Loaded> result = new CompletableFuture<>();
  /** Neighbour → how often it failed this segment (refused, went away, fell behind). */
  final Map<PeerId, Integer> failures = new HashMap<>();
  /**
   * The stream's statements; null for an unsigned stream not joined yet. For a signed stream every
   * answer must start with a statement that {@link SegmentStatements#admit}s.
   */
  SegmentStatements statements;
  /**
   * What the segment must be: for a signed stream null until a verified statement is in hand (the
   * caller's, a kept one, or the first a neighbour or the origin sent); for an unsigned one its
   * hash from {@code hashes.json} or the caller.
   */
  Expected expected;
  /** The playback deadline: the caller's timeout runs out then, failing the fetch. */
  Instant needed;
  Timers.Timer deadline;
  /** When the scheduler said WAIT: the instant to decide again at, and its timer. */
  Instant wakeAt;
  Timers.Timer wake;

  /** The current REQUEST: its ID, the neighbour asked, and its reassembly. */
  long requestId;
  ViewerNeighbour from;
  SegmentAssembler assembler;
  /** When it was sent, when it must be complete ({@code requestDeadline}), and its next judgment. */
  Instant requestedAt;
  /** When its latest chunk arrived (null: none yet). */
  Instant lastChunkAt;
  Instant requestDeadline;
  Timers.Timer pace;
  /** How many answers (DATA or ERROR, to any request) the neighbour had sent us when it was sent. */
  long answersAtSend;
  /** Whether the current REQUEST's STATEMENT arrived (and was trusted). */
  boolean stated;

  Fetch(SegmentRef ref, boolean httpFallback) {
    this.ref = Objects.requireNonNull(ref, "ref");
    this.httpFallback = httpFallback;
  }

  /** Whether it is a segment of a signed stream: answers must carry a statement. */
  boolean signed() {
    return statements != null && statements.verifier().isPresent();
  }

  /** The length the segment must have, 0 while unknown: what the scheduler predicts with. */
  long expectedLength() {
    return expected == null ? 0 : Math.max(0, expected.length());
  }

  int failures(PeerId peer) {
    return failures.getOrDefault(peer, 0);
  }

  /** Forgets the current REQUEST (answered, refused, cancelled, or its neighbour gone). */
  void clearRequest() {
    if (pace != null) {
      pace.cancel();
      pace = null;
    }
    from = null;
    assembler = null;
    requestedAt = null;
    lastChunkAt = null;
    requestDeadline = null;
    stated = false;
  }

  /** Forgets a WAIT: the fetch was sent somewhere, or is over. */
  void clearWake() {
    if (wake != null) {
      wake.cancel();
      wake = null;
    }
    wakeAt = null;
  }
}
