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
 * One segment a {@link WebRtcViewer} is getting: what it must match, when it is needed, where it
 * is asked now, and who failed it already. Threading: confined to the viewer's executor.
 */
final class Fetch {
  final SegmentRef ref;
  /** Whether the origin is asked when the scheduler says HTTP ({@code load}). */
  final boolean httpFallback;
  final CompletableFuture<WebRtcViewer.Loaded> result = new CompletableFuture<>();
  /** Neighbour → how often it failed this segment (refused, went away, fell behind). */
  final Map<PeerId, Integer> failures = new HashMap<>();
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

  Fetch(SegmentRef ref, boolean httpFallback) {
    this.ref = Objects.requireNonNull(ref, "ref");
    this.httpFallback = httpFallback;
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
