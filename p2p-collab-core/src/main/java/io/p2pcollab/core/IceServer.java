package io.p2pcollab.core;

import java.util.List;

/**
 * A STUN/TURN server for {@code RTCPeerConnection}, as in the browser's {@code RTCIceServer}.
 *
 * @param urls one or more URLs ({@code stun:}, {@code turn:}, {@code turns:})
 * @param username TURN user name, or null
 * @param credential TURN credential, or null
 */
public record IceServer(List<String> urls, String username, String credential) {

  public IceServer {
    urls = List.copyOf(urls);
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("an ICE server needs at least one URL");
    }
  }

  /** A server without credentials (STUN). */
  public static IceServer of(String... urls) {
    return new IceServer(List.of(urls), null, null);
  }
}
