package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link SegmentScheduler#chooseSource} decides on: one segment a peer needs.
 *
 * @param segment the segment needed
 * @param neighbours the peers this one has an open data channel to; no ID twice
 * @param now the current time
 * @param deadline when the segment must be in hand for playback not to stall (now + time left
 *     in the playback buffer)
 * @param length the segment's signed length in bytes, or 0 if not known
 */
public record SourceInput(SegmentRef segment, List<Neighbour> neighbours, Instant now, Instant deadline, long length) {

  /** Without the segment's length: nobody's throughput is taken into account. */
  public SourceInput(SegmentRef segment, List<Neighbour> neighbours, Instant now, Instant deadline) {
    this(segment, neighbours, now, deadline, 0);
  }

  public SourceInput {
    Checks.nonNegative(length, "length");
    Objects.requireNonNull(segment, "segment");
    neighbours = List.copyOf(neighbours);
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(deadline, "deadline");
    Set<PeerId> seen = new HashSet<>();
    for (Neighbour n : neighbours) {
      if (!seen.add(n.id())) {
        throw new IllegalArgumentException("neighbour listed twice: " + n.id());
      }
    }
  }

  /**
   * A connected peer, as seen for this segment.
   *
   * @param holds whether its last HAVE lists the segment
   * @param outstanding requests to it not yet answered
   * @param failures how often it failed to deliver this segment (error, timeout, bad hash)
   * @param lateStrikes how many of its transfers fell behind their deadline in the last 60 s
   * @param bytesPerSecond its measured throughput to this peer, or 0 if not known yet
   */
  public record Neighbour(PeerId id, boolean superPeer, boolean holds, int outstanding, int failures, int lateStrikes,
      long bytesPerSecond) {

    /** A neighbour that never fell behind and whose throughput is not known yet. */
    public Neighbour(PeerId id, boolean superPeer, boolean holds, int outstanding, int failures) {
      this(id, superPeer, holds, outstanding, failures, 0, 0);
    }

    public Neighbour {
      Objects.requireNonNull(id, "id");
      Checks.nonNegative(outstanding, "outstanding");
      Checks.nonNegative(failures, "failures");
      Checks.nonNegative(lateStrikes, "lateStrikes");
      Checks.nonNegative(bytesPerSecond, "bytesPerSecond");
    }
  }
}
