package io.p2pcollab.media.internal.webrtc;

import java.nio.ByteBuffer;

/**
 * Where a wire-protocol endpoint puts its messages: a {@link PeerLink}'s data channel, or a
 * recording fake in tests. Confined to the owner's executor, like the link.
 */
interface WireSink {

  /** Queues one message; false if the channel is not open (the message is dropped). */
  boolean send(ByteBuffer message);

  /** False while too much is buffered: stop sending until the owner hears the link is writable. */
  boolean writable();

  /**
   * Bytes queued and not yet sent: how a server tells a neighbour that drains slowly from one that
   * never drains. 0 for a sink that buffers nothing (or is closed).
   */
  default long bufferedAmount() {
    return 0;
  }
}
