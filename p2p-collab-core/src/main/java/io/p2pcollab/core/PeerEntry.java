package io.p2pcollab.core;

import java.util.Objects;

/**
 * A peer in a peer list: an ID and whether it is the Media Server's super-peer. Never an address.
 */
public record PeerEntry(PeerId id, boolean superPeer) {

  public PeerEntry {
    Objects.requireNonNull(id, "id");
  }
}
