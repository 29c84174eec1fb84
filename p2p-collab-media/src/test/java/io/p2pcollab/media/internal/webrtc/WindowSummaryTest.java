package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.StreamHolding;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowSummaryTest {

  @Test
  void countsDistinctMediaNumbers_andTheNewest() {
    List<SegmentRef> window =
        List.of(
            SegmentRef.init("main", "0"),
            SegmentRef.init("main", "1"),
            new SegmentRef("main", "0", 41),
            new SegmentRef("main", "1", 41),
            new SegmentRef("main", "0", 42),
            new SegmentRef("other", "0", 99));

    assertThat(WindowSummary.of("main", window)).isEqualTo(new StreamHolding("main", 2, 42));
  }

  @Test
  void emptyWindow_hasNewestMinusOne() {
    assertThat(WindowSummary.of("main", List.of(SegmentRef.init("main", "0"))))
        .isEqualTo(new StreamHolding("main", 0, -1));
  }
}
