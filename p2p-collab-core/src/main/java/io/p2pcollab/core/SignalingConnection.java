package io.p2pcollab.core;

import java.net.InetSocketAddress;

/**
 * One peer's signaling socket as the {@link Coordinator} sees it: the SPI a host's WebSocket stack
 * implements (the reference adapter is {@code io.p2pcollab.tracker.WebSocketSignalingServer}; a
 * Jakarta or Spring WebSocket endpoint can implement it in a few lines).
 *
 * <p>Threading: called from the Coordinator's thread; every method must return immediately.
 */
public interface SignalingConnection {

  /**
   * Queues one text frame to the peer.
   *
   * @return true if queued; false if the socket is closed (the frame is dropped)
   */
  boolean send(String frame);

  /** Closes the socket with a WebSocket close code. Idempotent. */
  void close(int code, String reason);

  /**
   * The peer's network address. The Coordinator keeps it to itself (thesis Table 4.1): it never
   * appears in anything sent to another peer.
   */
  InetSocketAddress remoteAddress();
}
