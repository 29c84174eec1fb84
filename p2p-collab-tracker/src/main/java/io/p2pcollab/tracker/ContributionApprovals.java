package io.p2pcollab.tracker;

import io.p2pcollab.core.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The operator approval flow for contributors: a peer asks to go live, an operator (a page or the
 * host's Java code) approves or denies in real time; an approval is a grant that expires and can be
 * revoked at any time. Nobody holds a grant by default.
 *
 * <p>Listeners hear every change, e.g. to show pending requests on an operator page or to end a
 * revoked contributor's stream at once; they are called after the change, outside the monitor,
 * and must not throw.
 *
 * <p>Threading: safe for concurrent use; a monitor guards the tables.
 */
public final class ContributionApprovals {

  /** A peer's request to contribute {@code stream} in {@code room}. */
  public record Request(String id, PeerId peer, String room, String stream, Instant at) {}

  /** A grant to contribute, until {@code expiresAt} unless revoked. */
  public record Grant(PeerId peer, String room, String stream, Instant expiresAt) {}

  /** What changed. */
  public enum Change { REQUESTED, APPROVED, DENIED, REVOKED }

  /** One change, with the request or grant it concerns. */
  public record Event(Change change, PeerId peer, String room, String stream) {}

  private final Clock clock;
  private final Duration grantTtl;
  private final Map<String, Request> pending = new LinkedHashMap<>();
  private final Map<String, Grant> grants = new LinkedHashMap<>(); // key: peer|stream
  private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
  private long next = 1;

  /**
   * @param grantTtl how long an approval lasts (the contributor asks again after it)
   */
  public ContributionApprovals(Clock clock, Duration grantTtl) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (grantTtl.isNegative() || grantTtl.isZero()) {
      throw new IllegalArgumentException("grantTtl must be positive");
    }
    this.grantTtl = grantTtl;
  }

  /** Registers a listener; closing the handle removes it. */
  public AutoCloseable onChange(Consumer<Event> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> listeners.remove(listener);
  }

  /** A peer asks to contribute; the request waits for an operator. Asking twice returns the first request. */
  public Request request(PeerId peer, String room, String stream) {
    Request r;
    synchronized (this) {
      for (Request existing : pending.values()) {
        if (existing.peer().equals(peer) && existing.stream().equals(stream) && existing.room().equals(room)) {
          return existing;
        }
      }
      r = new Request("req-" + next++, peer, room, stream, clock.instant());
      pending.put(r.id(), r);
    }
    fire(new Event(Change.REQUESTED, peer, room, stream));
    return r;
  }

  /** The requests waiting for an operator, oldest first. */
  public synchronized List<Request> pending() {
    return List.copyOf(pending.values());
  }

  /** Approves a pending request: the peer holds a grant from now for the grant lifetime. */
  public Optional<Grant> approve(String requestId) {
    Grant g;
    synchronized (this) {
      Request r = pending.remove(requestId);
      if (r == null) {
        return Optional.empty();
      }
      g = new Grant(r.peer(), r.room(), r.stream(), clock.instant().plus(grantTtl));
      grants.put(key(r.peer(), r.stream()), g);
    }
    fire(new Event(Change.APPROVED, g.peer(), g.room(), g.stream()));
    return Optional.of(g);
  }

  /** Denies a pending request. */
  public boolean deny(String requestId) {
    Request r;
    synchronized (this) {
      r = pending.remove(requestId);
    }
    if (r != null) {
      fire(new Event(Change.DENIED, r.peer(), r.room(), r.stream()));
    }
    return r != null;
  }

  /** Revokes a grant (and drops a pending request) of {@code peer} for {@code stream}. */
  public boolean revoke(PeerId peer, String stream) {
    Grant g;
    synchronized (this) {
      g = grants.remove(key(peer, stream));
      pending.values().removeIf(r -> r.peer().equals(peer) && r.stream().equals(stream));
    }
    if (g != null) {
      fire(new Event(Change.REVOKED, peer, g.room(), stream));
    }
    return g != null;
  }

  /** The peer's live grant for {@code stream}, if any: checked on every use, expiry included. */
  public synchronized Optional<Grant> grant(PeerId peer, String stream) {
    Grant g = grants.get(key(peer, stream));
    if (g != null && !clock.instant().isBefore(g.expiresAt())) {
      grants.remove(key(peer, stream));
      return Optional.empty();
    }
    return Optional.ofNullable(g);
  }

  /** Forgets everything about a peer whose visit ended. */
  public void forget(PeerId peer) {
    List<Grant> revoked = new ArrayList<>();
    synchronized (this) {
      grants.values().removeIf(g -> g.peer().equals(peer) && revoked.add(g));
      pending.values().removeIf(r -> r.peer().equals(peer));
    }
    revoked.forEach(g -> fire(new Event(Change.REVOKED, peer, g.room(), g.stream())));
  }

  private static String key(PeerId peer, String stream) {
    return peer.value() + "|" + stream;
  }

  private void fire(Event e) {
    for (Consumer<Event> l : listeners) {
      try {
        l.accept(e);
      } catch (RuntimeException ex) {
        // a listener's failure must not undo or block the change
      }
    }
  }
}
