package io.p2pcollab.core;

import java.util.Objects;

/**
 * The one unchecked exception of p2p-collab for failures a peer or host can act on; it carries a
 * stable {@link ErrorCode}, the same one the protocol sends to peers.
 */
public class P2pCollabException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final transient String ref;

  public P2pCollabException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  public P2pCollabException(ErrorCode code, String message, Throwable cause) {
    this(code, message, null, cause);
  }

  /**
   * @param ref the type of the message that caused the failure, when known (goes into the
   *     signaling {@code error.ref}); may be null
   */
  public P2pCollabException(ErrorCode code, String message, String ref, Throwable cause) {
    super(code + ": " + message, cause);
    this.code = Objects.requireNonNull(code, "code");
    this.ref = ref;
  }

  /** The stable code of this failure. */
  public ErrorCode code() {
    return code;
  }

  /** The message type that caused it, if known; null otherwise. */
  public String ref() {
    return ref;
  }
}
