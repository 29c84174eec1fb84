package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.ServingBudget;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What a serving peer remembers of each neighbour's peer ID while it lives (protocol §2.5). */
class ServingRecordsTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private final Random random = new Random(15);
  private final ServingRecords records = new ServingRecords(new ServingBudget.Config(1, 2, 8, 1));
  private final PeerId peer = PeerId.random(random);

  @Test
  void aPeersBudget_outlivesItsLink_soOfferingAgainDoesNotRefillIt() {
    ServingBudget first = records.budget(peer);
    first.request(T0, 0);
    first.request(T0, 0); // the burst of 2 spent

    ServingBudget again = records.budget(peer); // its next link

    assertThat(again).isSameAs(first);
    assertThat(again.request(T0, 0)).isEqualTo(ServingBudget.Decision.BUSY);
    assertThat(records.budget(PeerId.random(random)).request(T0, 0))
        .as("another peer has a budget of its own").isEqualTo(ServingBudget.Decision.SERVE);
  }

  @Test
  void aCutPeer_isBlocked_andReportedOnlyTheFirstTime() {
    assertThat(records.blocked(peer)).isFalse();

    assertThat(records.cut(peer, ReportReason.FLOODING)).isTrue();
    assertThat(records.cut(peer, ReportReason.NOT_DRAINING)).as("cut before: no second report").isFalse();

    assertThat(records.blocked(peer)).isTrue();
    assertThat(records.cut()).containsExactly(Map.entry(peer, ReportReason.FLOODING));
  }

  @Test
  void aPeerThatLeft_isForgotten() {
    ServingBudget old = records.budget(peer);
    records.cut(peer, ReportReason.FLOODING);

    records.forget(peer);

    assertThat(records.blocked(peer)).isFalse();
    assertThat(records.budget(peer)).isNotSameAs(old);
  }

  @Test
  void theTables_areBounded_forgettingTheOldestFirst() {
    PeerId oldest = PeerId.random(random);
    records.cut(oldest, ReportReason.FLOODING);
    for (int i = 0; i < ServingRecords.REMEMBERED - 1; i++) {
      records.cut(PeerId.random(random), ReportReason.FLOODING);
    }
    assertThat(records.blocked(oldest)).isTrue();

    records.cut(PeerId.random(random), ReportReason.FLOODING);

    assertThat(records.blocked(oldest)).isFalse();
    assertThat(records.cut()).hasSize(ServingRecords.REMEMBERED);
  }
}
