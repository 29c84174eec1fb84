package io.p2pcollab.core;

import java.time.Instant;
import java.util.Objects;

/**
 * The answer of {@link SegmentScheduler#chooseSource}.
 *
 * @param action what to do
 * @param peer the neighbour to request from ({@link Action#PEER} only, else null)
 * @param until when to decide again at the latest ({@link Action#WAIT} only, else null)
 */
public record SourceDecision(Action action, PeerId peer, Instant until) {

  /** What to do about the segment. */
  public enum Action {
    /** Request it from {@link #peer()}. */
    PEER,
    /** Do nothing yet; decide again when a neighbour's HAVE or a request changes, or at {@link #until()}. */
    WAIT,
    /** Fetch it over HTTP. */
    HTTP
  }

  public SourceDecision {
    Objects.requireNonNull(action, "action");
    if ((action == Action.PEER) != (peer != null)) {
      throw new IllegalArgumentException("a peer is given exactly for PEER");
    }
    if ((action == Action.WAIT) != (until != null)) {
      throw new IllegalArgumentException("an instant is given exactly for WAIT");
    }
  }

  public static SourceDecision peer(PeerId peer) {
    return new SourceDecision(Action.PEER, Objects.requireNonNull(peer, "peer"), null);
  }

  public static SourceDecision waitUntil(Instant until) {
    return new SourceDecision(Action.WAIT, null, Objects.requireNonNull(until, "until"));
  }

  public static SourceDecision http() {
    return new SourceDecision(Action.HTTP, null, null);
  }
}
