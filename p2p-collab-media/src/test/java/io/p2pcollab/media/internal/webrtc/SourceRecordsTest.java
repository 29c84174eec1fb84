package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.PeerId;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Late strikes (forgotten after a minute) and the throughput estimate: an average of bytes over time since the REQUEST, each sample weighing half. */
class SourceRecordsTest {

  private final Random random = new Random(3);
  private final SourceRecords records = new SourceRecords();
  private final PeerId peer = PeerId.random(random);
  private final Instant t0 = Instant.parse("2026-12-02T00:00:00Z");

  @Test
  void aPeerNeverHeardOf_hasNoStrikes_andNoKnownThroughput() {
    assertThat(records.lateStrikes(peer, t0)).isZero();
    assertThat(records.bytesPerSecond(peer)).isZero();
  }

  @Test
  void theFirstSample_isTakenAsItIs_laterOnesWeighHalf() {
    records.onTime(peer, 1_000_000, Duration.ofSeconds(1));
    assertThat(records.bytesPerSecond(peer)).isEqualTo(1_000_000);

    records.onTime(peer, 1_000_000, Duration.ofSeconds(2)); // 500 000 B/s
    assertThat(records.bytesPerSecond(peer)).isEqualTo(750_000);

    records.late(peer, t0, 50_000, Duration.ofMillis(500)); // 100 000 B/s
    assertThat(records.bytesPerSecond(peer)).isEqualTo(425_000);
  }

  @Test
  void strikes_countLateTransfers_forAMinute_andATransferOnTimeDoesNotClearThem() {
    records.late(peer, t0, 1000, Duration.ofSeconds(1));
    records.late(peer, t0.plusSeconds(30), 0, Duration.ofSeconds(5));
    assertThat(records.lateStrikes(peer, t0.plusSeconds(30))).isEqualTo(2);
    assertThat(records.bytesPerSecond(peer)).as("nothing received is no sample").isEqualTo(1000);

    records.onTime(peer, 2000, Duration.ofSeconds(1));
    assertThat(records.lateStrikes(peer, t0.plusSeconds(31))).isEqualTo(2);
    assertThat(records.bytesPerSecond(peer)).isEqualTo(1500);

    assertThat(records.lateStrikes(peer, t0.plusSeconds(60))).as("the first forgotten").isEqualTo(1);
    assertThat(records.lateStrikes(peer, t0.plusSeconds(90))).isZero();
  }

  @Test
  void aTransferTakingNoTimeOnAManualClock_countsAs1ms() {
    assertThat(SourceRecords.rate(40_000, Duration.ZERO)).isEqualTo(40_000_000);
    assertThat(SourceRecords.rate(1, Duration.ofHours(1))).as("known, however slow").isEqualTo(1);
  }

  @Test
  void onlyTheMostRecentlyHeardOfPeersAreKept() {
    records.late(peer, t0, 1000, Duration.ofSeconds(1));
    for (int i = 0; i < SourceRecords.MAX_KEPT; i++) {
      records.late(PeerId.random(random), t0, 1000, Duration.ofSeconds(1));
    }
    assertThat(records.lateStrikes(peer, t0)).isZero();
  }
}
