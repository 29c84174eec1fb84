package io.p2pcollab.core;

/**
 * A peer's end of one signaling connection to the Coordinator: JSON text frames in both
 * directions (docs/protocol.md §1), encoded and decoded with {@link SignalingCodec}. A Java peer
 * (the super-peer, a Java viewer) talks through one; a {@link SignalingTransport} opens it over a
 * WebSocket, or in process when the Coordinator runs in the same JVM.
 *
 * <p>Lifecycle: a channel is open when its transport hands it out. It ends with exactly one
 * {@link Listener#onClosed}, after which there are no further calls.
 *
 * <p>Threading: {@link #send} and {@link #close} are safe from any thread and return immediately.
 * Listener methods are called one at a time, in order, on a transport thread; they must return
 * quickly (enqueue onto the component's own executor) and must not throw.
 */
public interface SignalingChannel {

  /**
   * Queues one text frame.
   *
   * @return true if queued; false if the channel is closed or its outgoing queue is full (the frame
   *     is dropped)
   */
  boolean send(String frame);

  /** Starts a graceful close; {@link Listener#onClosed} follows. Idempotent. */
  void close();

  /** Receives what arrives on a channel. */
  interface Listener {

    /** One text frame from the server. */
    void onFrame(String frame);

    /** Terminal: the channel is closed, by either side or by failure. */
    void onClosed(String reason);
  }
}
