package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.core.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Java viewer makes of a neighbour's messages beyond the answers it judges (protocol
 * §2.4, §2.5), beside what conformance.json checks: chunks still in flight for a request it
 * cancelled are no fault, a PUSH is refused, and a neighbour that asks the viewer — which serves
 * nothing — far more than it could use is cut for flooding like one asking the super-peer.
 */
class ViewerNeighbourTest {

  private static final SegmentRef ONE = new SegmentRef("main", "0", 1);
  private static final byte[] SEGMENT = ConformanceTest.bytesOf(ONE, 100_000);

  private final ManualClock clock = new ManualClock();
  private final ManualTimers timers = new ManualTimers(clock);
  private final Map<SegmentRef, byte[]> segments = new HashMap<>(Map.of(ONE, SEGMENT));
  private final ConformanceTester neighbour = new ConformanceTester(PeerId.random(new Random(3)), timers, segments);
  private final ViewerUnderTest viewer = new ViewerUnderTest(clock, timers);

  @BeforeEach
  void linked() {
    viewer.connect(neighbour);
    timers.advance(Duration.ZERO);
  }

  @Test
  void chunks_ofARequestItCancelled_areIgnored() {
    neighbour.send(WireMessage.Have.of("main", List.of(ONE)));
    neighbour.answer = ConformanceTester.Answer.FIRST_CHUNK;
    timers.advance(Duration.ZERO);
    viewer.load(ONE, SEGMENT, Duration.ofSeconds(4), false);
    timers.advance(Duration.ofMillis(750)); // its pace misses the deadline: cancelled
    assertThat(neighbour.received).last().isInstanceOf(WireMessage.Cancel.class);
    WireMessage.Cancel cancel = (WireMessage.Cancel) neighbour.received.get(neighbour.received.size() - 1);

    ConformanceTester.chunks(cancel.requestId(), SEGMENT).stream().skip(1).forEach(neighbour::send);
    timers.advance(Duration.ZERO);

    assertThat(neighbour.open()).isTrue();
    assertThat(viewer.reported(neighbour.id)).isEmpty();
  }

  @Test
  void requests_areAnsweredNotFound_withinTheServingBudget_andAFloodIsCut() {
    for (long id = 1; id <= 49; id++) {
      neighbour.send(new WireMessage.Request(id, ONE));
    }
    timers.advance(Duration.ZERO);

    assertThat(neighbour.received).extracting(m -> ((WireMessage.Error) m).code())
        .containsExactlyElementsOf(codes(16, WireMessage.Error.NOT_FOUND, 32, WireMessage.Error.BUSY));
    assertThat(neighbour.open()).isFalse();
    assertThat(viewer.reported(neighbour.id)).containsExactly("flooding");
  }

  @Test
  void anHonestPaceOfRequests_isAlwaysAnswered_andNeverCut() {
    for (long id = 1; id <= 60; id++) {
      neighbour.send(new WireMessage.Request(id, ONE));
      timers.advance(Duration.ofMillis(500));
    }

    assertThat(neighbour.received).hasSize(60).allMatch(m -> ((WireMessage.Error) m).code() == WireMessage.Error.NOT_FOUND);
    assertThat(neighbour.open()).isTrue();
  }

  @Test
  void aPush_isRefusedOncePerSegment_aViewerIngestsNothing() {
    byte[] contributed = new byte[20_000];
    neighbour.send(new WireMessage.Push(1, contributed.length, 0, Arrays.copyOf(contributed, 16_384)));
    neighbour.send(new WireMessage.Push(1, contributed.length, 16_384, new byte[20_000 - 16_384]));
    timers.advance(Duration.ZERO);

    assertThat(neighbour.received).containsExactly(new WireMessage.Ack(1, WireMessage.Error.FORBIDDEN, "not an ingest"));
    assertThat(neighbour.open()).isTrue();
    assertThat(viewer.reported(neighbour.id)).isEmpty();
  }

  private static List<Integer> codes(int n, int code, int m, int then) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n + m; i++) {
      out.add(i < n ? code : then);
    }
    return out;
  }
}
