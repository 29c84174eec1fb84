package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The neighbour slots of one peer (docs/protocol.md §2, "Neighbour links"). Links the peer answered
 * (<em>inbound</em>: the other side offered) and links it offered (<em>outbound</em>) are counted
 * apart, so unsolicited offers can never take the slots a peer keeps for the neighbours it chose,
 * nor the other way round. And a link must earn its slot: one that carries no REQUEST in either
 * direction (nor, to a super-peer, a contributor's PUSH) within {@code firstRequestTimeout} of
 * opening is {@linkplain #idle() idle}, and its owner closes it — an attacker's offers hold a slot
 * for seconds, not for as long as it cares to keep a channel open. An idle link is simply closed,
 * never reported.
 *
 * <p>Threading: confined to the owner's executor; time comes from the injected {@link Clock}.
 */
final class NeighbourSlots {

  /** The side that offered. */
  enum Direction {
    /** The remote peer offered; this peer answered. */
    INBOUND,
    /** This peer offered. */
    OUTBOUND
  }

  private final int maxInbound;
  private final int maxOutbound;
  private final Duration firstRequestTimeout;
  private final Clock clock;
  private final Map<PeerId, Slot> slots = new LinkedHashMap<>();

  /**
   * @param maxInbound links the peer answers at once (0: it answers no offer)
   * @param maxOutbound links the peer offers at once (0: it never offers)
   * @param firstRequestTimeout how long an open link may carry no REQUEST
   */
  NeighbourSlots(int maxInbound, int maxOutbound, Duration firstRequestTimeout, Clock clock) {
    if (maxInbound < 0 || maxOutbound < 0) {
      throw new IllegalArgumentException("slot counts must be >= 0");
    }
    this.maxInbound = maxInbound;
    this.maxOutbound = maxOutbound;
    this.firstRequestTimeout = Objects.requireNonNull(firstRequestTimeout, "firstRequestTimeout");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Gives {@code peer} a slot of {@code direction}, if one is free.
   *
   * @return false if every slot of that direction is taken: the peer gets none
   * @throws IllegalStateException if the peer holds a slot already (release it first)
   */
  boolean take(PeerId peer, Direction direction) {
    if (used(direction) >= max(direction)) {
      return false;
    }
    put(peer, direction);
    return true;
  }

  /**
   * Gives {@code peer} a slot of {@code direction} even when all are taken: for a contributor the
   * Coordinator granted, whose uploads must get through. It counts like any other slot.
   *
   * @throws IllegalStateException if the peer holds a slot already (release it first)
   */
  void takeBeyondCap(PeerId peer, Direction direction) {
    put(peer, direction);
  }

  /** Frees {@code peer}'s slot, if it holds one. */
  void release(PeerId peer) {
    slots.remove(peer);
  }

  /** Whether {@code peer} holds a slot. */
  boolean holds(PeerId peer) {
    return slots.containsKey(peer);
  }

  /** {@code peer}'s data channel opened: its first-request deadline starts now. */
  void opened(PeerId peer) {
    Slot s = slots.get(peer);
    if (s != null && s.openedAt == null) {
      s.openedAt = clock.instant();
    }
  }

  /** {@code peer}'s link carried a REQUEST (or a PUSH): it has earned its slot. */
  void requested(PeerId peer) {
    Slot s = slots.get(peer);
    if (s != null) {
      s.requested = true;
    }
  }

  /** The peers whose link has been open {@code firstRequestTimeout} or longer without a REQUEST. */
  List<PeerId> idle() {
    Instant now = clock.instant();
    List<PeerId> idle = new ArrayList<>();
    slots.forEach((peer, s) -> {
      if (s.openedAt != null && !s.requested && !now.isBefore(s.openedAt.plus(firstRequestTimeout))) {
        idle.add(peer);
      }
    });
    return idle;
  }

  /** Slots of {@code direction} held now (beyond the cap too). */
  int used(Direction direction) {
    int n = 0;
    for (Slot s : slots.values()) {
      if (s.direction == direction) {
        n++;
      }
    }
    return n;
  }

  /** Slots of {@code direction} still free (0 when held beyond the cap). */
  int free(Direction direction) {
    return Math.max(0, max(direction) - used(direction));
  }

  private int max(Direction direction) {
    return direction == Direction.INBOUND ? maxInbound : maxOutbound;
  }

  private void put(PeerId peer, Direction direction) {
    Objects.requireNonNull(direction, "direction");
    if (slots.putIfAbsent(Objects.requireNonNull(peer, "peer"), new Slot(direction)) != null) {
      throw new IllegalStateException(peer + " holds a slot already");
    }
  }

  private static final class Slot {
    final Direction direction;
    Instant openedAt;
    boolean requested;

    Slot(Direction direction) {
      this.direction = direction;
    }
  }
}
