package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.testing.ManualClock;
import io.p2pcollab.media.internal.webrtc.NeighbourSlots.Direction;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Inbound and outbound neighbour slots are counted apart; a link that carries no REQUEST loses its slot. */
class NeighbourSlotsTest {

  private final ManualClock clock = new ManualClock();
  private final NeighbourSlots slots = new NeighbourSlots(2, 3, Duration.ofSeconds(5), clock);
  private final Random random = new Random(7);

  @Test
  void unsolicitedOffers_cannotTakeOutboundSlots() {
    assertThat(slots.take(peer(), Direction.INBOUND)).isTrue();
    assertThat(slots.take(peer(), Direction.INBOUND)).isTrue();

    assertThat(slots.take(peer(), Direction.INBOUND)).as("the inbound slots are full").isFalse();
    assertThat(slots.free(Direction.OUTBOUND)).as("the peers we chose still have theirs").isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      assertThat(slots.take(peer(), Direction.OUTBOUND)).isTrue();
    }
    assertThat(slots.take(peer(), Direction.OUTBOUND)).isFalse();
    assertThat(slots.used(Direction.INBOUND)).isEqualTo(2);
  }

  @Test
  void ownOffers_cannotTakeInboundSlots() {
    NeighbourSlots viewer = new NeighbourSlots(0, 1, Duration.ofSeconds(5), clock);

    assertThat(viewer.take(peer(), Direction.OUTBOUND)).isTrue();
    assertThat(viewer.take(peer(), Direction.OUTBOUND)).isFalse();
    assertThat(viewer.take(peer(), Direction.INBOUND)).as("a peer that answers no offer").isFalse();
  }

  @Test
  void aReleasedSlot_isFreeAgain() {
    PeerId a = peer();
    slots.take(a, Direction.INBOUND);
    slots.take(peer(), Direction.INBOUND);

    slots.release(a);

    assertThat(slots.holds(a)).isFalse();
    assertThat(slots.take(peer(), Direction.INBOUND)).isTrue();
  }

  @Test
  void aGrantedContributor_getsASlotBeyondTheCap_thatCountsLikeAnyOther() {
    slots.take(peer(), Direction.INBOUND);
    slots.take(peer(), Direction.INBOUND);

    slots.takeBeyondCap(peer(), Direction.INBOUND);

    assertThat(slots.used(Direction.INBOUND)).isEqualTo(3);
    assertThat(slots.free(Direction.INBOUND)).isZero();
  }

  @Test
  void aPeerHoldsOneSlotAtATime() {
    PeerId a = peer();
    slots.take(a, Direction.INBOUND);

    assertThatThrownBy(() -> slots.take(a, Direction.OUTBOUND)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aLinkWithoutARequest_isIdleFiveSecondsAfterItOpened() {
    PeerId silent = peer();
    slots.take(silent, Direction.INBOUND);
    clock.advance(Duration.ofSeconds(8)); // connecting does not count: the deadline starts at open
    slots.opened(silent);

    clock.advance(Duration.ofMillis(4999));
    assertThat(slots.idle()).isEmpty();
    clock.advance(Duration.ofMillis(1));
    assertThat(slots.idle()).containsExactly(silent);
  }

  @Test
  void aLinkThatCarriedARequest_isNeverIdle() {
    PeerId busy = peer();
    PeerId notOpenYet = peer();
    slots.take(busy, Direction.OUTBOUND);
    slots.take(notOpenYet, Direction.OUTBOUND);
    slots.opened(busy);
    clock.advance(Duration.ofSeconds(1));
    slots.requested(busy);

    clock.advance(Duration.ofMinutes(10));

    assertThat(slots.idle()).isEmpty();
  }

  @Test
  void openedTwice_keepsTheFirstDeadline() {
    PeerId p = peer();
    slots.take(p, Direction.INBOUND);
    slots.opened(p);
    clock.advance(Duration.ofSeconds(4));
    slots.opened(p);
    clock.advance(Duration.ofSeconds(1));

    assertThat(slots.idle()).containsExactly(p);
  }

  private PeerId peer() {
    return PeerId.random(random);
  }
}
