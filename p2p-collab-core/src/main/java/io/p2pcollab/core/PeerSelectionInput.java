package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link SegmentScheduler#selectPeers} decides on: a peer asks for peers of a stream.
 *
 * @param stream the stream asked about
 * @param asker the peer asking (never given itself)
 * @param candidates the registered peers of the stream, with what they reported; no ID twice
 * @param max the most peers to give (&ge; 0)
 */
public record PeerSelectionInput(String stream, PeerId asker, List<Candidate> candidates, int max) {

  public PeerSelectionInput {
    Checks.name(stream, "stream");
    Objects.requireNonNull(asker, "asker");
    candidates = List.copyOf(candidates);
    Checks.nonNegative(max, "max");
    Set<PeerId> seen = new HashSet<>();
    for (Candidate c : candidates) {
      if (!seen.add(c.id())) {
        throw new IllegalArgumentException("candidate listed twice: " + c.id());
      }
    }
  }

  /**
   * A peer that could be given, as its last {@code state} described it for this stream.
   *
   * @param segments segments of the stream it holds (0: none)
   * @param newest highest segment number it holds, -1 for none
   * @param uploadSlots how many more uploads it can take
   */
  public record Candidate(PeerId id, boolean superPeer, int segments, long newest, int uploadSlots) {
    public Candidate {
      Objects.requireNonNull(id, "id");
      Checks.nonNegative(segments, "segments");
      Checks.nonNegative(uploadSlots, "uploadSlots");
      if (newest < -1) {
        throw new IllegalArgumentException("newest must be >= -1: " + newest);
      }
    }
  }
}
