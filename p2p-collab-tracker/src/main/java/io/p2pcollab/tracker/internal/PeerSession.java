package io.p2pcollab.tracker.internal;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalingConnection;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One signaling socket, from its opening to its close: the page visit registered on it, and what
 * the Coordinator remembers about it.
 *
 * <p>Threading: the {@link Coordinator.Session} callbacks come from the host's socket threads and
 * only enqueue onto the Coordinator's thread (counting queued frames is their only work). Every
 * field is touched only on the Coordinator's thread.
 */
final class PeerSession implements Coordinator.Session {

  /** A session may have this many frames waiting; a peer that floods past it is disconnected. */
  static final int MAX_QUEUED_FRAMES = 256;
  /** The most relayed pairs remembered per peer (oldest forgotten first); a browser keeps ≤ 8 links. */
  static final int MAX_LINKS = 64;

  private final StandardCoordinator owner;
  final SignalingConnection connection;
  final Instant connectedAt;
  /** Reports, bans and approval limits count by this (loopback: this connection). */
  final AddressKey key;
  /** Registration rates count by this (null: address unknown). */
  final AddressKey networkKey;
  final AtomicInteger queued = new AtomicInteger();

  Instant lastSeen;
  PeerId peerId;
  boolean superPeer;

  /** Streams this peer sent {@code join} for. */
  final Set<String> joined = new HashSet<>();
  /** Streams its last accepted {@code state} holds (it is a source of each). */
  final Set<String> holding = new HashSet<>();
  /** Peers this one offered to that have not answered yet, and when. */
  final Map<PeerId, Instant> offers = new HashMap<>();
  /** Peers that offered to this one and wait for its answer (the mirror of their {@link #offers}). */
  final Set<PeerId> offeredBy = new HashSet<>();
  /**
   * Relayed pairs: peers this one exchanged an offer and its answer with, and the streams both
   * were in then. Mirrored on the other side. Bounded by {@link #MAX_LINKS}.
   */
  final Map<PeerId, Set<String>> links =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PeerId, Set<String>> eldest) {
          return size() > MAX_LINKS;
        }
      };
  /** Super-peers the Coordinator handed this peer (lists, {@code uploadTo}): it may offer to them. */
  final Set<PeerId> handedSuperPeers = new HashSet<>();

  private double tokens = -1;
  private Instant refilled;
  long violations;

  PeerSession(StandardCoordinator owner, SignalingConnection connection, long serial, Instant now) {
    this.owner = owner;
    this.connection = connection;
    this.connectedAt = now;
    this.lastSeen = now;
    this.key = AddressKey.forJudging(connection.remoteAddress(), serial);
    this.networkKey = AddressKey.forRateLimits(connection.remoteAddress());
  }

  boolean registered() {
    return peerId != null;
  }

  /** Whether this peer sent {@code join} for {@code stream} or holds it. */
  boolean inStream(String stream) {
    return joined.contains(stream) || holding.contains(stream);
  }

  /** Whether this peer and {@code other} are in one stream. */
  boolean sharesStreamWith(PeerSession other) {
    for (String s : joined) {
      if (other.inStream(s)) {
        return true;
      }
    }
    for (String s : holding) {
      if (other.inStream(s)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this peer and {@code other} were neighbours in {@code stream}: the Coordinator relayed
   * an offer and its answer between them, and both were in {@code stream} then or are now.
   */
  boolean linkedIn(PeerSession other, String stream) {
    Set<String> then = links.get(other.peerId);
    return then != null && (then.contains(stream) || (inStream(stream) && other.inStream(stream)));
  }

  /** The streams both are in now. */
  Set<String> sharedStreams(PeerSession other) {
    Set<String> shared = new HashSet<>();
    for (String s : joined) {
      if (other.inStream(s)) {
        shared.add(s);
      }
    }
    for (String s : holding) {
      if (other.inStream(s)) {
        shared.add(s);
      }
    }
    return shared;
  }

  /** Token bucket: {@code rate} per second, bursts of twice that. */
  boolean admit(Instant now, int rate) {
    if (tokens < 0) {
      tokens = 2.0 * rate;
      refilled = now;
    }
    double elapsed = Duration.between(refilled, now).toNanos() / 1e9;
    tokens = Math.min(2.0 * rate, tokens + Math.max(0, elapsed) * rate);
    refilled = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  @Override
  public void onText(String frame) {
    if (queued.incrementAndGet() > MAX_QUEUED_FRAMES) {
      connection.close(1008, "flooding");
      onClose();
      return;
    }
    owner.run(() -> {
      queued.decrementAndGet();
      owner.handle(this, frame);
    });
  }

  @Override
  public void onBinary(ByteBuffer frame) {
    owner.run(() -> owner.binary(this));
  }

  @Override
  public void onPong() {
    owner.run(() -> owner.pong(this));
  }

  @Override
  public void onClose() {
    owner.run(() -> owner.forget(this));
  }
}
