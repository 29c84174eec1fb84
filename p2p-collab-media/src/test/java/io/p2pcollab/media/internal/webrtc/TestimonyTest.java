package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What a viewer tells the Coordinator of its neighbours: each report once, and who delivered. */
class TestimonyTest {

  private final List<SignalMessage> sent = new ArrayList<>();
  private final Testimony testimony = new Testimony(sent::add);
  private final Random random = new Random(3);

  @Test
  void aPeer_isReportedOnce_forItsFirstFault() {
    PeerId liar = PeerId.random(random);

    assertThat(testimony.report(liar, "main", ReportReason.NOT_FOUND)).isTrue();
    assertThat(testimony.report(liar, "main", ReportReason.NO_ANSWER)).isFalse();
    assertThat(testimony.report(liar, "other", ReportReason.BAD_SEGMENT)).isFalse();

    assertThat(sent).containsExactly(new SignalMessage.Report(liar, "main", "not-found"));
    assertThat(testimony.blocked(liar)).isTrue();
    assertThat(testimony.reported()).containsExactly(Map.entry(liar, "not-found"));
  }

  @Test
  void servedBy_namesThoseThatDelivered_sinceThePreviousState() {
    PeerId a = PeerId.random(random);
    PeerId b = PeerId.random(random);
    testimony.delivered(a);
    testimony.delivered(b);
    testimony.delivered(a);

    assertThat(testimony.takeServedBy()).containsExactly(a, b);
    assertThat(testimony.takeServedBy()).as("counted afresh").isEmpty();
  }

  @Test
  void servedBy_holdsAtMostEight() {
    IntStream.range(0, 12).forEach(i -> testimony.delivered(PeerId.random(random)));

    List<PeerId> servedBy = testimony.takeServedBy();

    assertThat(servedBy).hasSize(SignalMessage.State.MAX_SERVED_BY);
    new SignalMessage.State(new io.p2pcollab.core.PeerState(List.of(), 0), servedBy); // a valid state
  }

  @Test
  void aReportedPeer_isNotVouchedFor() {
    PeerId p = PeerId.random(random);
    testimony.delivered(p);
    testimony.report(p, "main", ReportReason.BAD_SEGMENT);
    testimony.delivered(p);

    assertThat(testimony.takeServedBy()).isEmpty();
  }

  @Test
  void reasons_haveTheirWireNames() {
    assertThat(ReportReason.values()).extracting(ReportReason::wireName)
        .containsExactly("bad-segment", "wrong-length", "protocol-violation", "not-found", "no-answer",
            "flooding", "not-draining");
  }
}
