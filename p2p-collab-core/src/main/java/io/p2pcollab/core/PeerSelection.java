package io.p2pcollab.core;

import java.util.List;

/**
 * The answer of {@link SegmentScheduler#selectPeers}: the peers to give, best first.
 */
public record PeerSelection(List<PeerEntry> peers) {

  public PeerSelection {
    peers = List.copyOf(peers);
  }

  /** True if a super-peer is among the peers. */
  public boolean includesSuperPeer() {
    return peers.stream().anyMatch(PeerEntry::superPeer);
  }
}
