package io.p2pcollab.core;

import java.util.concurrent.CompletableFuture;

/**
 * The Media Server's always-online peer: the first source of every stream it serves, for the
 * first few viewers, until the swarm holds the stream itself.
 *
 * <p>It registers with the Coordinator as role {@code super-peer} through a {@link
 * SignalingTransport}, reports a {@code state} for its streams every {@link
 * SuperPeerConfig#stateInterval()}, and answers the offers of viewers (newcomers offer, the
 * super-peer answers) while it serves fewer than {@link SuperPeerConfig#maxPeers()} peers; later
 * offers are refused. Over each data channel it announces its window with HAVE on open and on every
 * new segment, serves REQUESTs in DATA chunks of at most 16 KiB under back-pressure — a signed
 * stream's segment with its {@link SegmentSource#statement statement} in a STATEMENT first (§2.7)
 * — answers NOT_FOUND and BUSY errors, and honours CANCEL (docs/protocol.md §2). Each neighbour is
 * served within its {@link SuperPeerConfig#servingBudget()} (§2.5); one that floods or never drains
 * what it asked for is cut, reported to the Coordinator and never served again. If the signaling
 * channel drops, it registers again (with a new peer ID); open data channels are not affected.
 *
 * <p>Lifecycle: {@code NEW → STARTED → CLOSED}. Built by a factory (in the media module: {@code
 * io.p2pcollab.media.SuperPeers}), started by {@link #start()}, ended by {@link #close()}, which
 * closes every peer connection and the signaling channel.
 *
 * <p>Threading: every method is safe from any thread and returns immediately. The super-peer runs
 * on one serial executor of its own; callbacks of the WebRTC and signaling libraries only enqueue
 * onto it.
 */
public interface SuperPeer extends AutoCloseable {

  /** Lifecycle state. */
  enum State {
    NEW,
    STARTED,
    CLOSED
  }

  /**
   * Starts: opens the signaling channel and registers.
   *
   * @return completes with the super-peer's ID once the Coordinator welcomed it, or exceptionally
   *     if the channel could not be opened or registration was refused
   * @throws IllegalStateException if not {@link State#NEW}
   */
  CompletableFuture<PeerId> start();

  /** The current lifecycle state. */
  State state();

  /** A snapshot of the counters, for monitoring and benchmarks. */
  Stats stats();

  /** Closes every peer connection and the signaling channel. Idempotent. */
  @Override
  void close();

  /**
   * Counters since start.
   *
   * @param connectedPeers peers whose data channel is open now
   * @param bytesServed payload bytes of DATA messages sent to peers
   * @param segmentsServed segments sent completely
   * @param requestsRefused REQUESTs answered with an ERROR (not found, busy, malformed)
   * @param offersRefused offers not answered: {@link SuperPeerConfig#maxPeers()} peers were served,
   *     or the offer came from a peer it had cut
   * @param peersCut neighbours cut for asking over their {@link SuperPeerConfig#servingBudget()}
   *     ({@code flooding}) or never draining what they asked for ({@code not-draining}); each is
   *     reported to the Coordinator and not served again while its peer ID lives
   */
  record Stats(
      int connectedPeers,
      long bytesServed,
      long segmentsServed,
      long requestsRefused,
      long offersRefused,
      long peersCut) {}
}
