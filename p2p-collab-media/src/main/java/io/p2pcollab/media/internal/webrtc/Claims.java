package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.SegmentRef;
import java.util.Collection;

/**
 * Whether a neighbour's NOT_FOUND belies what it claims: the rule that tells a liar from a peer
 * whose window simply moved on.
 *
 * <p>A HAVE replaces the sender's previous one, and the channel is ordered, so when NOT_FOUND
 * arrives the neighbour's latest HAVE is what it claimed at the time it answered — except for a
 * race an honest server can lose: its newest segment pushes the oldest out of its window, and a
 * REQUEST for that oldest one is answered before the fresh HAVE goes out. So a NOT_FOUND is a lie
 * only for a segment the neighbour still claims <em>and</em> that cannot have just slid out: an
 * initialization segment (never slides), or a media segment with an older one of its track still
 * claimed. A peer that stops serving a whole stream says so first with an empty HAVE.
 *
 * <p>Stateless.
 */
final class Claims {

  private Claims() {}

  /**
   * @param claimed the neighbour's latest HAVE for {@code refused}'s stream
   * @param refused the segment it answered NOT_FOUND for
   */
  static boolean notFoundIsALie(Collection<SegmentRef> claimed, SegmentRef refused) {
    if (!claimed.contains(refused)) {
      return false;
    }
    if (refused.isInit()) {
      return true;
    }
    for (SegmentRef r : claimed) {
      if (!r.isInit() && r.track().equals(refused.track()) && r.stream().equals(refused.stream())
          && r.number() < refused.number()) {
        return true;
      }
    }
    return false;
  }
}
