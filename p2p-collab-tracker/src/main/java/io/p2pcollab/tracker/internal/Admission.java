package io.p2pcollab.tracker.internal;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.tracker.CoordinatorConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Who gets a peer ID, and who loses the socket: {@code hello} registers a page visit under a random
 * ID (the super-peer role only with its token), at most {@code registrationsPerAddressPerMinute}
 * per network address; a socket that says no {@code hello} within {@code helloTimeout} gets {@code
 * HELLO_TIMEOUT} and is closed (pongs do not help it: only {@code hello} registers), and a
 * registered one silent for {@code expiry} is closed.
 *
 * <p>Threading: the Coordinator's thread only.
 */
final class Admission {

  /** What the sweep decided for one socket. */
  enum Verdict { KEEP, HELLO_TIMEOUT, SILENT }

  private final Sessions sessions;
  private final CoordinatorConfig config;
  private final SecureRandom random;
  private final Supplier<List<StreamInfo>> streams;
  /** Network address → when it registered page visits in the last minute. */
  private final Map<AddressKey, ArrayDeque<Instant>> registrations = new HashMap<>();

  Admission(Sessions sessions, CoordinatorConfig config, SecureRandom random, Supplier<List<StreamInfo>> streams) {
    this.sessions = sessions;
    this.config = config;
    this.random = random;
    this.streams = streams;
  }

  /** Registers {@code s} (or welcomes it again); false if its socket must close. */
  boolean hello(PeerSession s, SignalMessage.Hello hello) {
    boolean superPeer = hello.role() == SignalMessage.Role.SUPER_PEER;
    if (!s.registered()) {
      if (superPeer && !tokenMatches(hello.token())) {
        sessions.refuse(s, ErrorCode.UNAUTHORIZED, "the super-peer role needs the super-peer token", "hello");
        return true;
      }
      if (!superPeer && !admitRegistration(s)) {
        sessions.refuse(s, ErrorCode.RATE_LIMITED,
            "over " + config.registrationsPerAddressPerMinute() + " registrations per minute from one address", "hello");
        s.connection.close(1008, "too many registrations");
        return false;
      }
      PeerId id;
      do {
        id = PeerId.random(random);
      } while (sessions.isRegistered(id));
      s.superPeer = superPeer;
      sessions.register(s, id);
    }
    Instant now = sessions.now();
    sessions.send(s, new SignalMessage.Welcome(
        s.peerId, config.iceServers().forPeer(s.peerId, now), config.heartbeat(), streams.get()));
    return true;
  }

  /** Sliding one-minute window of registrations per network address (the address stays here). */
  private boolean admitRegistration(PeerSession s) {
    if (s.networkKey == null) {
      return true;
    }
    Instant now = sessions.now();
    ArrayDeque<Instant> times = registrations.computeIfAbsent(s.networkKey, k -> new ArrayDeque<>());
    while (!times.isEmpty() && !times.peekFirst().isAfter(now.minusSeconds(60))) {
      times.pollFirst();
    }
    if (times.size() >= config.registrationsPerAddressPerMinute()) {
      return false;
    }
    times.addLast(now);
    return true;
  }

  private boolean tokenMatches(String token) {
    String expected = config.superPeerToken();
    return expected != null
        && token != null
        && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether {@code s} may stay open at {@code now}. */
  Verdict check(PeerSession s, Instant now) {
    if (!s.registered()) {
      return now.isBefore(s.connectedAt.plus(config.helloTimeout())) ? Verdict.KEEP : Verdict.HELLO_TIMEOUT;
    }
    return s.lastSeen.isBefore(now.minus(config.expiry())) ? Verdict.SILENT : Verdict.KEEP;
  }

  /** Forgets registration times older than a minute. */
  void sweep(Instant now) {
    Instant minuteAgo = now.minusSeconds(60);
    registrations.values().removeIf(times -> times.isEmpty() || !times.peekLast().isAfter(minuteAgo));
  }
}
