package io.p2pcollab.core;

import java.util.concurrent.CompletableFuture;

/**
 * Opens signaling channels for a Java peer: the WebSocket client of the media module, or an
 * in-process pipe to a Coordinator in the same JVM. Hosts may supply their own.
 *
 * <p>Threading: {@link #open} is safe from any thread and does not block.
 */
@FunctionalInterface
public interface SignalingTransport {

  /**
   * Opens a channel whose frames go to {@code listener}.
   *
   * @return completes with the open channel, or exceptionally if it cannot be opened (then the
   *     listener is never called)
   */
  CompletableFuture<SignalingChannel> open(SignalingChannel.Listener listener);
}
