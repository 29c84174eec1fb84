package io.p2pcollab.media.internal.webrtc;

import java.util.List;
import java.util.Objects;

/**
 * How a {@link PeerLink} gathers ICE candidates.
 *
 * @param servers STUN/TURN servers, as received in the signaling {@code welcome}
 * @param allowLoopback make connections work on a host whose only network is loopback (tests,
 *     one-machine demos). libwebrtc ignores loopback adapters and discards the wildcard-address
 *     candidate, so in this mode each connection binds one UDP port on the wildcard address and
 *     announces it itself as a {@code 127.0.0.1} host candidate.
 */
public record IceSettings(List<Server> servers, boolean allowLoopback) {

  public IceSettings {
    servers = List.copyOf(servers);
  }

  /** No ICE servers, loopback allowed: two peers on one machine. */
  public static IceSettings loopback() {
    return new IceSettings(List.of(), true);
  }

  /**
   * One STUN or TURN server.
   *
   * @param urls {@code stun:} / {@code turn:} URLs, at least one
   * @param username TURN user name, or null
   * @param credential TURN password, or null
   */
  public record Server(List<String> urls, String username, String credential) {
    public Server {
      urls = List.copyOf(urls);
      if (urls.isEmpty()) {
        throw new IllegalArgumentException("an ICE server needs at least one URL");
      }
      urls.forEach(Objects::requireNonNull);
    }
  }
}
