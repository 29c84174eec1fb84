package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A signaling message (docs/protocol.md §1): one JSON text frame between a peer and the signaling
 * server. Encode and decode with {@link SignalingCodec}. Every record validates its fields, so a
 * message that exists is one the codec can encode.
 *
 * <p>Peer → server: {@link Hello}, {@link Join}, {@link State}, {@link PeersRequest}, {@link
 * Signal} (with {@code to}), {@link Leave}, {@link Report}, {@link Contribute}, {@link
 * ContributeStop}. Server → peer: {@link Welcome}, {@link Joined}, {@link Peers}, {@link Signal}
 * (with {@code from}), {@link PeerLeft}, {@link Contribution}, {@link StreamAdded}, {@link
 * StreamRemoved}, {@link Error}.
 */
public sealed interface SignalMessage {

  /** The protocol version every frame carries in {@code v}. */
  int VERSION = 1;

  /** The wire {@code type} of this message. */
  String type();

  /** The role a peer registers with. */
  enum Role {
    VIEWER("viewer"),
    SUPER_PEER("super-peer");

    private final String wireName;

    Role(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    public static Optional<Role> fromWire(String name) {
      for (Role r : values()) {
        if (r.wireName.equals(name)) {
          return Optional.of(r);
        }
      }
      return Optional.empty();
    }
  }

  /** What a {@link Signal} carries. */
  enum SignalKind {
    OFFER("offer"),
    ANSWER("answer"),
    CANDIDATE("candidate");

    private final String wireName;

    SignalKind(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    public static Optional<SignalKind> fromWire(String name) {
      for (SignalKind k : values()) {
        if (k.wireName.equals(name)) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * First message of a page visit: register.
   *
   * @param token an authorization token, or null
   */
  record Hello(Role role, String token) implements SignalMessage {
    public Hello {
      Objects.requireNonNull(role, "role");
    }

    public static Hello viewer() {
      return new Hello(Role.VIEWER, null);
    }

    @Override
    public String type() {
      return "hello";
    }
  }

  /** Start watching {@code stream}. */
  record Join(String stream) implements SignalMessage {
    public Join {
      Checks.name(stream, "stream");
    }

    @Override
    public String type() {
      return "join";
    }
  }

  /**
   * Heartbeat: what the peer holds and can serve. On the wire its fields sit at the top level.
   *
   * @param servedBy the peers that delivered at least one verified segment to this peer since its
   *     previous {@code state} (at most {@value #MAX_SERVED_BY}); the Coordinator learns from it which
   *     peers are proven sources. Empty when nothing was received from peers; omitted on the wire then.
   */
  record State(PeerState state, List<PeerId> servedBy) implements SignalMessage {
    /** The most peers one {@code state} may vouch for. */
    public static final int MAX_SERVED_BY = 8;

    public State {
      Objects.requireNonNull(state, "state");
      servedBy = List.copyOf(servedBy);
      if (servedBy.size() > MAX_SERVED_BY) {
        throw new IllegalArgumentException("servedBy lists at most " + MAX_SERVED_BY + " peers");
      }
    }

    /** A state that vouches for nobody. */
    public State(PeerState state) {
      this(state, List.of());
    }

    @Override
    public String type() {
      return "state";
    }
  }

  /**
   * Ask for a fresh peer list. Its wire type is {@code peers}, like the answer's; a {@code peers}
   * frame without a {@code peers} array is this request.
   *
   * @param max the most peers wanted (&ge; 1), or 0 to let the server choose (omitted on the wire)
   */
  record PeersRequest(String stream, int max) implements SignalMessage {
    public PeersRequest {
      Checks.name(stream, "stream");
      Checks.nonNegative(max, "max");
    }

    @Override
    public String type() {
      return "peers";
    }
  }

  /**
   * SDP or ICE relayed between two peers by ID. A peer sends it with {@code to} (and no {@code
   * from}); the server relays it with {@code from} set ({@link #relayedFrom}). Offers and answers
   * carry {@code sdp}, candidates carry {@code candidate}, never both.
   */
  record Signal(PeerId to, PeerId from, SignalKind kind, String sdp, IceCandidate candidate)
      implements SignalMessage {
    public Signal {
      Objects.requireNonNull(kind, "kind");
      if (to == null && from == null) {
        throw new IllegalArgumentException("a signal needs 'to' or 'from'");
      }
      if (kind == SignalKind.CANDIDATE) {
        Objects.requireNonNull(candidate, "candidate");
        if (sdp != null) {
          throw new IllegalArgumentException("a candidate signal carries no sdp");
        }
      } else {
        Objects.requireNonNull(sdp, "sdp");
        if (candidate != null) {
          throw new IllegalArgumentException("an offer/answer carries no candidate");
        }
      }
    }

    /** An offer or answer to send to {@code to}. */
    public static Signal sdp(PeerId to, SignalKind kind, String sdp) {
      return new Signal(to, null, kind, sdp, null);
    }

    /** A candidate to send to {@code to}. */
    public static Signal candidate(PeerId to, IceCandidate candidate) {
      return new Signal(to, null, SignalKind.CANDIDATE, null, candidate);
    }

    /** This signal as the server relays it: {@code from} set, {@code to} dropped. */
    public Signal relayedFrom(PeerId sender) {
      return new Signal(null, Objects.requireNonNull(sender, "sender"), kind, sdp, candidate);
    }

    @Override
    public String type() {
      return "signal";
    }
  }

  /** Graceful end of the page visit. */
  record Leave() implements SignalMessage {
    @Override
    public String type() {
      return "leave";
    }
  }

  /**
   * Peer → server: {@code peer} sent this peer a segment that failed verification (or broke the
   * wire protocol). The Tracker stops handing out a peer reported by enough distinct peers.
   *
   * @param reason a short machine-readable reason, e.g. {@code bad-segment} (at most 64 characters)
   */
  record Report(PeerId peer, String stream, String reason) implements SignalMessage {
    public Report {
      Objects.requireNonNull(peer, "peer");
      Checks.name(stream, "stream");
      Objects.requireNonNull(reason, "reason");
      if (reason.isEmpty() || reason.length() > 64) {
        throw new IllegalArgumentException("reason must be 1-64 characters");
      }
    }

    @Override
    public String type() {
      return "report";
    }
  }

  /**
   * Peer → server: go live as {@code stream}. Needs a grant: a contributor token for this room and
   * stream, or an operator's approval (without a token, the request goes to the operators).
   *
   * @param token a contributor token, or null
   */
  record Contribute(String stream, String token) implements SignalMessage {
    public Contribute {
      Checks.name(stream, "stream");
    }

    @Override
    public String type() {
      return "contribute";
    }
  }

  /** Peer → server: stop contributing {@code stream}; its stream ends for every viewer. */
  record ContributeStop(String stream) implements SignalMessage {
    public ContributeStop {
      Checks.name(stream, "stream");
    }

    @Override
    public String type() {
      return "contribute-stop";
    }
  }

  /** Where a contribution stands. */
  enum ContributionStatus {
    /** An operator was asked; wait. */
    PENDING("pending"),
    /** Go live: upload to {@code uploadTo}. */
    GRANTED("granted"),
    /** An operator refused the request. */
    DENIED("denied"),
    /** The grant was withdrawn: stop at once; nothing more is stored. */
    REVOKED("revoked"),
    /** The contributor stopped or left. */
    ENDED("ended");

    private final String wireName;

    ContributionStatus(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    public static Optional<ContributionStatus> fromWire(String name) {
      for (ContributionStatus s : values()) {
        if (s.wireName.equals(name)) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * Server → peer: a contribution changed. The contributor gets it without {@code peer}, with
   * {@code uploadTo} (the super-peer that ingests it) when granted; super-peers get it with {@code
   * peer}, the contributor whose uploads they may now (or may no longer) store.
   *
   * @param peer the contributor (to super-peers), or null
   * @param uploadTo the ingesting super-peer (to the contributor, when granted), or null
   * @param reason human-readable text, or null
   */
  record Contribution(String stream, ContributionStatus status, PeerId peer, PeerId uploadTo, String reason)
      implements SignalMessage {
    public Contribution {
      Checks.name(stream, "stream");
      Objects.requireNonNull(status, "status");
    }

    @Override
    public String type() {
      return "contribution";
    }
  }

  /** Server → every peer: a stream went live (a contribution, or a restarted stream's new key). */
  record StreamAdded(StreamInfo stream) implements SignalMessage {
    public StreamAdded {
      Objects.requireNonNull(stream, "stream");
    }

    @Override
    public String type() {
      return "stream-added";
    }
  }

  /** Server → every peer: {@code stream} ended; stop playing and sharing it. */
  record StreamRemoved(String stream) implements SignalMessage {
    public StreamRemoved {
      Checks.name(stream, "stream");
    }

    @Override
    public String type() {
      return "stream-removed";
    }
  }

  /**
   * Registered.
   *
   * @param heartbeat how often the peer sends its state; whole milliseconds, positive
   */
  record Welcome(PeerId peerId, List<IceServer> iceServers, Duration heartbeat, List<StreamInfo> streams)
      implements SignalMessage {
    public Welcome {
      Objects.requireNonNull(peerId, "peerId");
      iceServers = List.copyOf(iceServers);
      streams = List.copyOf(streams);
      Objects.requireNonNull(heartbeat, "heartbeat");
      if (heartbeat.isNegative()
          || heartbeat.isZero()
          || heartbeat.toNanos() % 1_000_000 != 0
          || heartbeat.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("heartbeat must be positive whole milliseconds: " + heartbeat);
      }
    }

    @Override
    public String type() {
      return "welcome";
    }
  }

  /** The stream to watch and whom to connect to. */
  record Joined(StreamInfo stream, List<PeerEntry> peers) implements SignalMessage {
    public Joined {
      Objects.requireNonNull(stream, "stream");
      peers = List.copyOf(peers);
    }

    @Override
    public String type() {
      return "joined";
    }
  }

  /** A fresh peer list for {@code stream}. */
  record Peers(String stream, List<PeerEntry> peers) implements SignalMessage {
    public Peers {
      Checks.name(stream, "stream");
      peers = List.copyOf(peers);
    }

    @Override
    public String type() {
      return "peers";
    }
  }

  /** A neighbour in {@code stream} left or went silent. */
  record PeerLeft(PeerId peerId, String stream) implements SignalMessage {
    public PeerLeft {
      Objects.requireNonNull(peerId, "peerId");
      Checks.name(stream, "stream");
    }

    @Override
    public String type() {
      return "peer-left";
    }
  }

  /**
   * A refused message.
   *
   * @param message human-readable text
   * @param ref the type of the message that caused it, or null
   */
  record Error(ErrorCode code, String message, String ref) implements SignalMessage {
    public Error {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }

    /** The error a peer is sent for {@code e}. */
    public static Error of(P2pCollabException e) {
      String text = e.getMessage();
      String prefix = e.code() + ": ";
      return new Error(e.code(), text.startsWith(prefix) ? text.substring(prefix.length()) : text, e.ref());
    }

    @Override
    public String type() {
      return "error";
    }
  }
}
