package io.p2pcollab.media.internal.webrtc;

/**
 * The data-channel side of a link, as the wire protocol's endpoints use it: a {@link PeerLink}, or
 * a recording fake in tests. Confined to the owner's executor.
 */
interface DataLink extends WireSink {

  /** True once the data channel is open and until the link closes. */
  boolean isOpen();

  /** Closes the link; its listener hears {@code onClosed} once. Idempotent. */
  void close(String reason);
}
