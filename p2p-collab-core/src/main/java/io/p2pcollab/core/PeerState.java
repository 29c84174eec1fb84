package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A peer's heartbeat: the streams it holds and can serve (it is a source of each), and how many
 * more uploads it can take.
 *
 * @param streams one entry per stream, no stream twice
 * @param uploadSlots spare upload slots (&ge; 0)
 */
public record PeerState(List<StreamHolding> streams, int uploadSlots) {

  public PeerState {
    streams = List.copyOf(streams);
    Checks.nonNegative(uploadSlots, "uploadSlots");
    Set<String> seen = new HashSet<>();
    for (StreamHolding h : streams) {
      if (!seen.add(h.stream())) {
        throw new IllegalArgumentException("stream listed twice: " + h.stream());
      }
    }
  }
}
