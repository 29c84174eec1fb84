package io.p2pcollab.core;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where a serving peer (the super-peer, a Java peer) takes segments from: the Media Server's live
 * window, or a peer's cache of recent segments.
 *
 * <p>Threading: implementations are safe for concurrent use; {@link #segment} never blocks on I/O
 * for long (segments are held in memory or read from local disk). Listeners are called on the
 * implementation's own thread, must return quickly and must not throw.
 */
public interface SegmentSource {

  /** The complete bytes of {@code ref}, if it is held and complete; empty otherwise. */
  Optional<byte[]> segment(SegmentRef ref);

  /**
   * The Media Server's signed statement about {@code ref}, if {@code ref} is a held segment of a
   * signed stream (docs/protocol.md §2.7). A serving peer sends it in a {@link
   * WireMessage.Statement} before the segment's first DATA; receivers of a signed stream refuse
   * DATA that comes without one. A source of a signed stream must therefore give the statement of
   * every segment it gives the bytes of (a segment got without one is not to be served); a source
   * of unsigned streams keeps the default, and no STATEMENT is sent.
   */
  default Optional<SegmentSignature> statement(SegmentRef ref) {
    return Optional.empty();
  }

  /** The segments of {@code stream} currently held and complete, in no particular order. */
  List<SegmentRef> window(String stream);

  /**
   * Registers a listener told about every segment that becomes available (complete and hashed).
   *
   * @return a handle that removes the listener when closed
   */
  AutoCloseable onSegment(Consumer<SegmentRef> listener);
}
