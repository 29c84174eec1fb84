package io.p2pcollab.core;

import java.util.Optional;

/**
 * Stable error codes. The signaling protocol sends them by name in {@code error.code}
 * (docs/protocol.md §3); the names never change once published. Each is explained in
 * docs/troubleshooting.md under an anchor of the same name.
 */
public enum ErrorCode {
  /** A binary frame, or a text frame that is not UTF-8. */
  BAD_FRAME,
  /** A frame or message over the size limit. */
  FRAME_TOO_LARGE,
  /** Not JSON, not an object, a missing or mistyped field, nesting too deep; or a malformed binary message. */
  BAD_MESSAGE,
  /** A {@code v} other than 1. */
  UNSUPPORTED_VERSION,
  /** A {@code type} (or binary type byte) that is not known. */
  UNKNOWN_TYPE,
  /** A message other than {@code hello} before {@code hello}. */
  NOT_REGISTERED,
  /** {@code signal.to} names no registered peer. */
  UNKNOWN_PEER,
  /** {@code join}/{@code peers} for a stream nobody serves. */
  UNKNOWN_STREAM,
  /** Too many messages per second. */
  RATE_LIMITED,
  /** The peer is not allowed to do this (e.g. claim the super-peer role without its token). */
  UNAUTHORIZED,
  /** A contributor token that is malformed, forged, signed another way, or for another room or stream. */
  TOKEN_INVALID,
  /** A contributor token past its expiry (beyond the tolerated clock skew). */
  TOKEN_EXPIRED,
  /** A contributor token that was already used to start a contribution. */
  TOKEN_REPLAYED,
  /** {@code contribute} for a stream ID that is already live, or being contributed by another peer. */
  STREAM_TAKEN,
  /** The peer was reported for bad segments by enough other peers: it is no longer handed out. */
  BANNED,
  /** The peer already has a request waiting for the operator, or the host's queue of pending approvals is full. */
  PENDING_LIMIT,
  /** A {@code state} claim the Coordinator can check and refuses, e.g. a {@code newest} beyond the stream's live edge. */
  CLAIM_REFUSED,
  /** A {@code signal} to a peer of another stream, or to the super-peer by a peer it was not handed to. */
  NOT_NEIGHBOUR,
  /** Too many connections from one network address at the signaling adapter; the socket is closed. */
  TOO_MANY_CONNECTIONS,
  /** No {@code hello} within the registration deadline (3 s by default); the socket is closed. */
  HELLO_TIMEOUT,
  /** The server failed; the peer may retry. */
  INTERNAL;

  /** The code as sent on the wire (its name). */
  public String wireName() {
    return name();
  }

  /** The code with this wire name, if any (codes are case-sensitive). */
  public static Optional<ErrorCode> fromWire(String name) {
    for (ErrorCode code : values()) {
      if (code.name().equals(name)) {
        return Optional.of(code);
      }
    }
    return Optional.empty();
  }
}
