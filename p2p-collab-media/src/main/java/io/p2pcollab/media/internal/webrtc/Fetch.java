package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentAssembler;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Expected;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One segment a {@link WebRtcViewer} is getting: what it must match, where it is asked now, and who
 * failed it already. Threading: confined to the viewer's executor.
 */
final class Fetch {
  final SegmentRef ref;
  /** Whether the origin is asked when no neighbour can deliver ({@code load}). */
  final boolean httpFallback;
  final CompletableFuture<WebRtcViewer.Loaded> result = new CompletableFuture<>();
  /** Neighbours that failed this segment: not asked for it again. */
  final Set<PeerId> failed = new HashSet<>();
  Expected expected;
  Timers.Timer deadline;
  /** The current REQUEST: its ID, the neighbour asked, its reassembly and its answer deadline. */
  long requestId;
  ViewerNeighbour from;
  SegmentAssembler assembler;
  Timers.Timer answerDeadline;
  /** Whether the neighbour asked answered anything (a chunk or an error) yet. */
  boolean answered;

  Fetch(SegmentRef ref, boolean httpFallback) {
    this.ref = Objects.requireNonNull(ref, "ref");
    this.httpFallback = httpFallback;
  }

  /** Forgets the current REQUEST (answered, refused, or its neighbour gone). */
  void clearRequest() {
    if (answerDeadline != null) {
      answerDeadline.cancel();
      answerDeadline = null;
    }
    from = null;
    assembler = null;
    answered = false;
  }
}
