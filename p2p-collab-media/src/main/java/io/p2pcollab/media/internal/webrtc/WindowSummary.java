package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.StreamHolding;
import java.util.Collection;

/** Sums a live window up for the {@code state} heartbeat. */
final class WindowSummary {

  private WindowSummary() {}

  /**
   * {@code segments} counts the distinct media segment numbers held (a segment of every track
   * counts once; init segments not at all), {@code newest} is the highest of them or -1.
   */
  static StreamHolding of(String stream, Collection<SegmentRef> window) {
    long newest = -1;
    java.util.Set<Long> numbers = new java.util.HashSet<>();
    for (SegmentRef ref : window) {
      if (ref.stream().equals(stream) && !ref.isInit()) {
        numbers.add(ref.number());
        newest = Math.max(newest, ref.number());
      }
    }
    return new StreamHolding(stream, numbers.size(), newest);
  }
}
