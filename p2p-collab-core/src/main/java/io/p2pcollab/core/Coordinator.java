package io.p2pcollab.core;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The Peer Coordinator: the lifecycle of each page visit on the signaling channel.
 *
 * <p>It trusts no peer: relays go only between peers of one stream (and to the super-peer only
 * from peers it was handed to), reports count only from real neighbours and once per network
 * address, {@code state} claims are checked against the super-peer's live edge, and every table a
 * peer can grow is bounded (docs/protocol.md §1). Network addresses are counted as {@link
 * SignalingConnection#remoteAddress()} gives them: a host behind a reverse proxy must pass the
 * client's address there, or every visitor counts as the proxy.
 *
 * <p>It registers each visit under a random, ephemeral {@link PeerId} (never derived from the
 * address), keeps the table <i>ID → address</i> to itself (thesis Table 4.1), relays offers,
 * answers and ICE candidates between peers by ID (setting {@code from} itself, so no peer can speak
 * for another), hands {@code join}, {@code state} and {@code peers} to its {@link Tracker}, and
 * removes a peer from every table when it leaves or has been silent (no message, no WebSocket
 * pong) for the expiry time, telling the peers that shared a stream with it. Every refused message
 * is answered with an {@code error} of a stable {@link ErrorCode}; none of them closes the
 * connection, and nothing a peer sends can affect another peer's session (docs/protocol.md §1).
 *
 * <p>A host wires it to its WebSocket stack: on every new socket it calls {@link #connect} with a
 * {@link SignalingConnection} and feeds the returned {@link Session} what arrives.
 *
 * <p>Lifecycle: {@code NEW → STARTED → CLOSED}; {@link #connect} is accepted only while started;
 * {@link #close()} closes every session and is idempotent.
 *
 * <p>Threading: every method is safe from any thread and returns immediately. All state lives on
 * one serial executor of the Coordinator's own; socket callbacks only enqueue onto it.
 */
public interface Coordinator extends AutoCloseable {

  /**
   * Starts the liveness sweep.
   *
   * @throws IllegalStateException if not new
   */
  void start();

  /**
   * A socket opened: returns the session to feed with what arrives on it.
   *
   * @throws IllegalStateException if the Coordinator is not started
   */
  Session connect(SignalingConnection connection);

  /** The Tracker holding the swarm tables of this Coordinator. */
  Tracker tracker();

  /** Makes {@code stream} available to {@code join}; replaces an earlier one with the same ID. */
  void addStream(StreamInfo stream);

  /** Ends {@code stream}: {@code join} for it is refused from now on. */
  void removeStream(String streamId);

  /** The streams peers can join, in the order they were added. */
  List<StreamInfo> streams();

  /**
   * The live contributions: stream → the peer contributing it (a snapshot). A contribution starts
   * when a peer with a grant sends {@code contribute} and ends when it stops, leaves, is revoked, or
   * its grant expires (see {@link #renewContribution}).
   */
  Map<String, PeerId> contributions();

  /**
   * Revokes the contribution of {@code stream}, whichever grant started it: the contributor and the
   * ingesting super-peer are told at once, and every peer gets {@code stream-removed}.
   *
   * @return false if {@code stream} is not being contributed
   */
  boolean revokeContribution(String stream);

  /**
   * Extends the grant of a live contribution to {@code until}. A contribution lasts only as long as
   * the grant that started it — a contributor token's expiry (plus the tolerated clock skew), an
   * operator approval's lifetime — and ends with {@code contribution} {@code revoked}, reason
   * {@code expired}, when it runs out, unless the host renews it here before then. An {@code
   * until} in the past ends it at the next check.
   *
   * @return false if {@code stream} is not being contributed
   */
  boolean renewContribution(String stream, Instant until);

  /** How many page visits are registered now (the size of thesis Table 4.1). */
  int registeredPeers();

  /** Closes every session. Idempotent. */
  @Override
  void close();

  /**
   * What arrives on one socket. Methods only enqueue and never throw; a session ignores calls
   * after {@link #onClose()}.
   */
  interface Session {

    /** One text frame. */
    void onText(String frame);

    /** One binary frame: refused with {@link ErrorCode#BAD_FRAME}. */
    void onBinary(ByteBuffer frame);

    /** A WebSocket pong: proof of life even when the page's timers are throttled. */
    void onPong();

    /** The socket closed: the peer leaves every table. */
    void onClose();
  }
}
