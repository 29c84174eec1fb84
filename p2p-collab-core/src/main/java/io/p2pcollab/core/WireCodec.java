package io.p2pcollab.core;

import io.p2pcollab.core.internal.BinaryWireCodec;
import java.nio.ByteBuffer;

/**
 * Turns {@link WireMessage}s into data-channel messages and back (docs/protocol.md §2).
 *
 * <p>Implementations are stateless and safe for concurrent use.
 */
public interface WireCodec {

  /** Largest message on the wire: {@link WireMessage#MAX_PAYLOAD} plus 64 bytes of header. */
  int MAX_MESSAGE_BYTES = WireMessage.MAX_PAYLOAD + 64;

  /**
   * The message's bytes, in a new big-endian buffer positioned at 0.
   *
   * @throws IllegalArgumentException if the message would exceed {@link #MAX_MESSAGE_BYTES} (a
   *     HAVE with too many entries)
   */
  ByteBuffer encode(WireMessage message);

  /**
   * Parses one message from the remaining bytes of {@code message}; its position is not changed.
   *
   * @throws P2pCollabException and nothing else, whatever the bytes: {@link
   *     ErrorCode#FRAME_TOO_LARGE} over {@link #MAX_MESSAGE_BYTES}; {@link ErrorCode#UNKNOWN_TYPE}
   *     for an unknown type byte; {@link ErrorCode#BAD_MESSAGE} for an empty, truncated or
   *     overlong message, invalid UTF-8, or a field out of range
   */
  WireMessage decode(ByteBuffer message);

  /** The binary codec of the protocol. */
  static WireCodec binary() {
    return BinaryWireCodec.INSTANCE;
  }
}
