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
 * REQUEST for that oldest one is answered before the fresh HAVE goes out — or a few of the oldest,
 * for a server whose HAVE follows its evictions a moment late. So a NOT_FOUND is a lie only for a
 * segment the neighbour still claims <em>and</em> that cannot have just slid out: an
 * initialization segment (never slides), or a media segment with at least {@value #MARGIN} older
 * ones of its track still claimed (docs/protocol.md §2.4; the browser SDK's {@code
 * evictionMargin}). A peer that stops serving a whole stream says so first with an empty HAVE.
 *
 * <p>Stateless.
 */
final class Claims {

  /** Older media segments of its track a claimed segment needs for its NOT_FOUND to be a lie. */
  static final int MARGIN = 4;

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
    int older = 0;
    for (SegmentRef r : claimed) {
      if (!r.isInit() && r.track().equals(refused.track()) && r.stream().equals(refused.stream())
          && r.number() < refused.number() && ++older >= MARGIN) {
        return true;
      }
    }
    return false;
  }
}
