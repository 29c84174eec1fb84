package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.IceServer;
import java.util.List;

/**
 * How a {@link PeerLink} gathers ICE candidates.
 *
 * @param servers STUN/TURN servers, as received in the signaling {@code welcome}
 * @param allowLoopback make connections work on a host whose only network is loopback (tests,
 *     one-machine demos). libwebrtc ignores loopback adapters and discards the wildcard-address
 *     candidate, so in this mode each connection binds one UDP port on the wildcard address and
 *     announces it itself as a {@code 127.0.0.1} host candidate.
 */
public record IceSettings(List<IceServer> servers, boolean allowLoopback) {

  public IceSettings {
    servers = List.copyOf(servers);
  }

  /** No ICE servers, loopback allowed: two peers on one machine. */
  public static IceSettings loopback() {
    return new IceSettings(List.of(), true);
  }
}
