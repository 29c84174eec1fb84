package io.p2pcollab.media.internal.webrtc;

import static io.p2pcollab.media.internal.webrtc.ServingFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.ServingBudget;
import io.p2pcollab.core.WireMessage;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What one neighbour can cost a {@link SegmentServer} (protocol §2.5), on a manual clock: its
 * serving budget (BUSY without work, a cut for flooding) and the drain watch (a cut for never
 * taking what it asked for).
 */
class SegmentServerBudgetTest {

  private static final SegmentRef SEG_7 = new SegmentRef("main", "0", 7);
  private static final SegmentRef SEG_8 = new SegmentRef("main", "0", 8);

  private final ServingFixture f = new ServingFixture();
  private final SegmentServer server = f.serverWith(ServingBudget.Config.defaults());

  @Test
  void anHonestViewer_askingTwoSegmentsASecond_isAlwaysServed() {
    f.source.put(SEG_7, bytes(30_000, 10));
    f.source.put(SEG_8, bytes(30_000, 11));

    for (int second = 0; second < 120; second++) {
      server.onMessage(f.encode(new WireMessage.Request(2L * second + 1, SEG_7)));
      server.onMessage(f.encode(new WireMessage.Request(2L * second + 2, SEG_8)));
      f.clock.advance(Duration.ofSeconds(1));
    }

    assertThat(f.sink.errors()).isEmpty();
    assertThat(f.counters.segmentsServed).isEqualTo(240);
    assertThat(f.cuts).isEmpty();
  }

  @Test
  void requestsOverTheBurst_getBusy_withoutReadingTheSource_andARefilledTokenServesAgain() {
    f.source.put(SEG_7, bytes(1000, 12));

    for (long id = 1; id <= 17; id++) {
      server.onMessage(f.encode(new WireMessage.Request(id, SEG_7)));
    }
    assertThat(f.counters.segmentsServed).as("a burst of 16").isEqualTo(16);
    assertThat(f.sink.errors()).extracting(WireMessage.Error::requestId, WireMessage.Error::code)
        .containsExactly(tuple(17L, WireMessage.Error.BUSY));
    assertThat(f.reads).as("BUSY costs no read").hasValue(16);

    f.clock.advance(Duration.ofMillis(125)); // one token back at 8/s
    server.onMessage(f.encode(new WireMessage.Request(18, SEG_7)));

    assertThat(f.counters.segmentsServed).isEqualTo(17);
    assertThat(f.cuts).isEmpty();
  }

  @Test
  void aFloodThatNeverDrains_getsFourTransfers_then32Busy_andTheNextRequestCutsIt_once() {
    f.source.put(SEG_7, bytes(50_000, 13));
    f.sink.capacity = 0; // it never reads: every transfer stays under way

    boolean lastInUse = true;
    for (long id = 1; id <= 37; id++) {
      lastInUse = server.onMessage(f.encode(new WireMessage.Request(id, SEG_7)));
    }

    assertThat(server.activeTransfers()).isZero(); // dropped at the cut
    assertThat(f.reads).as("only the four served were read").hasValue(4);
    assertThat(f.sink.errors()).hasSize(32).extracting(WireMessage.Error::code).containsOnly(WireMessage.Error.BUSY);
    assertThat(lastInUse).as("the request that cut it").isFalse();
    assertThat(f.cuts).containsExactly("flooding in main");
    assertThat(server.isCut()).isTrue();
  }

  @Test
  void onceCut_nothingMoreIsSentOrRead_andTheOwnerIsToldOnlyOnce() {
    SegmentServer s = f.serverWith(new ServingBudget.Config(1, 1, 8, 0));
    f.source.put(SEG_7, bytes(50_000, 14));
    f.sink.capacity = 0;
    s.onMessage(f.encode(new WireMessage.Request(1, SEG_7))); // served, stuck
    s.onMessage(f.encode(new WireMessage.Request(2, SEG_7))); // over 0 refusals: cut
    int sent = f.sink.sent.size();

    f.sink.capacity = Integer.MAX_VALUE;
    s.pump();
    assertThat(s.onMessage(f.encode(new WireMessage.Request(3, SEG_7)))).isFalse();
    s.onMessage(new byte[] {0x7F});
    s.announceAll();
    s.withdraw("main");
    f.clock.advance(Duration.ofMinutes(1));
    s.watchDrain();

    assertThat(f.sink.sent).as("not a byte more").hasSize(sent);
    assertThat(f.reads).hasValue(1);
    assertThat(f.cuts).containsExactly("flooding in main");
  }

  @Test
  void messagesOfUnknownType_countAsRefusals_soGarbageIsCutLikeAFlood() {

    for (int i = 0; i < 33; i++) {
      server.onMessage(new byte[] {0x7F, 1, 2});
    }

    assertThat(f.sink.errors()).hasSize(32).extracting(WireMessage.Error::code).containsOnly(WireMessage.Error.BAD_REQUEST);
    assertThat(f.cuts).containsExactly("flooding in main");
  }

  @Test
  void refusalsDrainOverTime_soARequesterThatBacksOffIsNotCut() {
    f.source.put(SEG_7, bytes(50_000, 15));
    f.sink.capacity = 0;

    for (int round = 0; round < 5; round++) {
      for (long i = 0; i < 20; i++) {
        server.onMessage(f.encode(new WireMessage.Request(round * 100L + i + 1, SEG_7)));
      }
      f.clock.advance(Duration.ofSeconds(4)); // 32 refusals drain at 8/s
    }

    assertThat(f.sink.errors()).extracting(WireMessage.Error::code).containsOnly(WireMessage.Error.BUSY);
    assertThat(f.cuts).isEmpty();
  }

  @Test
  void theReport_namesTheLastServedStreamAsked_notAnUnservedOne() {
    SegmentServer s = f.serverWith(new ServingBudget.Config(1, 1, 8, 1));
    SegmentRef other = new SegmentRef("other", "0", 1);
    f.source.put(other, bytes(100, 16));

    s.onMessage(f.encode(new WireMessage.Request(1, other)));
    s.onMessage(f.encode(new WireMessage.Request(2, new SegmentRef("unserved", "0", 1))));
    s.onMessage(f.encode(new WireMessage.Request(3, new SegmentRef("unserved", "0", 1))));

    assertThat(f.cuts).containsExactly("flooding in other");
  }

  // --- Draining ---

  @Test
  void aChannelPausedWithNoProgress_isCutNotDraining_atTheDrainTimeout() {
    pausedWith(2 << 20);

    server.watchDrain();
    f.clock.advance(Duration.ofMillis(9_999));
    server.watchDrain();
    assertThat(f.cuts).isEmpty();

    f.clock.advance(Duration.ofMillis(1));
    server.watchDrain();
    assertThat(f.cuts).containsExactly("not-draining in main");
  }

  @Test
  void anyDrop_inTheBufferedAmount_restartsTheWait_butAGrowthDoesNot() {
    pausedWith(2 << 20);
    server.watchDrain();

    f.clock.advance(Duration.ofSeconds(8));
    f.sink.buffered = (2 << 20) - 16_400; // one chunk left: a slow link, not a dead one
    server.watchDrain();
    f.clock.advance(Duration.ofSeconds(4));
    f.sink.buffered += 300; // a HAVE queued: no progress
    server.watchDrain();
    f.clock.advance(Duration.ofSeconds(5));
    server.watchDrain();
    assertThat(f.cuts).as("9 s since the drop").isEmpty();

    f.clock.advance(Duration.ofSeconds(1));
    server.watchDrain();
    assertThat(f.cuts).containsExactly("not-draining in main");
  }

  @Test
  void aWritableChannel_orOneWithNothingBuffered_isNeverCutForDraining() {
    f.sink.buffered = 2 << 20; // writable all the same: under the high-water mark as the link sees it
    for (int i = 0; i < 60; i++) {
      server.watchDrain();
      f.clock.advance(Duration.ofSeconds(1));
    }
    f.sink.capacity = 0;
    f.sink.buffered = 0;
    for (int i = 0; i < 60; i++) {
      server.watchDrain();
      f.clock.advance(Duration.ofSeconds(1));
    }

    assertThat(f.cuts).isEmpty();
  }

  @Test
  void aPauseThatEnds_resetsTheWait() {
    pausedWith(2 << 20);
    server.watchDrain();
    f.clock.advance(Duration.ofSeconds(9));
    f.sink.capacity = Integer.MAX_VALUE; // drained to the low-water mark: writable again
    server.watchDrain();

    f.sink.capacity = 0; // paused again, at the same amount
    server.watchDrain();
    f.clock.advance(Duration.ofSeconds(9));
    server.watchDrain();

    assertThat(f.cuts).isEmpty();
  }

  private void pausedWith(long buffered) {
    f.source.put(SEG_7, bytes(50_000, 17));
    f.sink.capacity = 0;
    f.sink.buffered = buffered;
    server.onMessage(f.encode(new WireMessage.Request(1, SEG_7))); // a transfer waits for the channel
  }
}
