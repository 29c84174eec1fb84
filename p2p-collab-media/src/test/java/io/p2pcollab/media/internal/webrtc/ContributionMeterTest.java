package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.SuperPeerConfig.ContributionCaps;
import io.p2pcollab.core.testing.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The default caps: 4 Mbit/s (2 000 000 bytes) and 4 segments/s (16 segments) within any 4 s. */
class ContributionMeterTest {

  private final ManualClock clock = new ManualClock();
  private final ContributionMeter meter = new ContributionMeter(ContributionCaps.DEFAULT, clock);

  @Test
  void aStreamAtExactlyTheByteCap_isNeverOver() {
    for (int i = 0; i < 400; i++) { // 40 s of 50 000 bytes every 100 ms: 4 Mbit/s
      assertThat(meter.bytes(50_000)).as("push %d", i).isNull();
      clock.advanceMillis(100);
    }
    assertThat(meter.bytesInWindow()).isEqualTo(2_000_000);
  }

  @Test
  void oneByteOverTheWindowsCap_isOver() {
    for (int i = 0; i < 40; i++) {
      assertThat(meter.bytes(50_000)).isNull();
      clock.advanceMillis(100);
    }
    assertThat(meter.bytes(50_000)).as("the 41st push lands as the first one leaves the window").isNull();

    assertThat(meter.bytes(1)).startsWith("over 4000000 bit/s");
  }

  @Test
  void aBurstAfterAStall_isAllowed_upToTheWindowsWorth() {
    assertThat(meter.bytes(500_000)).isNull();
    clock.advance(Duration.ofSeconds(4)); // a stalled uplink: nothing for a window

    assertThat(meter.bytes(2_000_000)).as("the whole window's worth at once").isNull();
    clock.advanceMillis(3900);
    assertThat(meter.bytes(1)).as("still within the same window").isNotNull();
    clock.advanceMillis(100);
    assertThat(meter.bytes(1_999_999)).as("a window later").isNull();
  }

  @Test
  void sixteenSegmentsInFourSeconds_areAllowed_theSeventeenthIsOver() {
    for (int i = 0; i < 16; i++) {
      assertThat(meter.segment()).isNull();
      clock.advanceMillis(100);
    }

    assertThat(meter.segment()).startsWith("over 4 segments/s");
  }

  @Test
  void segmentsOfLongAgo_leaveTheWindow() {
    for (int i = 0; i < 16; i++) {
      meter.segment();
    }
    clock.advance(Duration.ofSeconds(4));

    assertThat(meter.segment()).isNull();
  }

  @Test
  void aConfiguredCap_isEnforced() {
    ContributionMeter tight = new ContributionMeter(new ContributionCaps(80_000, 1, Duration.ofSeconds(1)), clock);

    assertThat(tight.bytes(10_000)).isNull();
    clock.advanceMillis(999);
    assertThat(tight.bytes(1)).as("10 001 bytes within 1 s").isNotNull();
  }
}
