package io.p2pcollab.core;

import io.p2pcollab.core.internal.JsonSignalingCodec;

/**
 * Turns {@link SignalMessage}s into signaling text frames and back (docs/protocol.md §1).
 *
 * <p>Implementations are stateless and safe for concurrent use.
 */
public interface SignalingCodec {

  /** Largest frame accepted, in UTF-8 bytes (64 KiB). */
  int MAX_FRAME_BYTES = 65_536;

  /**
   * The canonical frame for {@code message}: {@code v}, {@code type}, then the fields in the order
   * of docs/protocol.md, optional fields omitted when absent, no whitespace.
   */
  String encode(SignalMessage message);

  /**
   * Parses one frame. Unknown extra fields are ignored.
   *
   * @throws P2pCollabException and nothing else, whatever {@code frame} holds: {@link
   *     ErrorCode#FRAME_TOO_LARGE} over {@link #MAX_FRAME_BYTES}; {@link ErrorCode#BAD_MESSAGE} for
   *     invalid JSON, a non-object, a missing, mistyped or invalid field, or nesting deeper than 8;
   *     {@link ErrorCode#UNSUPPORTED_VERSION} if {@code v} is not 1; {@link ErrorCode#UNKNOWN_TYPE}
   *     for an unknown {@code type}. {@link P2pCollabException#ref()} is the message type when it
   *     was known.
   */
  SignalMessage decode(String frame);

  /** The JSON codec of the protocol. */
  static SignalingCodec json() {
    return JsonSignalingCodec.INSTANCE;
  }
}
