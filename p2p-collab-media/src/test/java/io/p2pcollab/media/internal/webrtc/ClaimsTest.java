package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.SegmentRef;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a NOT_FOUND belies what a neighbour claims, and when its window simply moved on. */
class ClaimsTest {

  private static SegmentRef seg(String track, long n) {
    return new SegmentRef("main", track, n);
  }

  private final List<SegmentRef> claimed = List.of(SegmentRef.init("main", "0"),
      seg("0", 5), seg("0", 6), seg("0", 7), seg("0", 8), seg("0", 9), seg("0", 10), seg("1", 9));

  @Test
  void aSegmentStillClaimed_withFourOlderOnesOfItsTrack_isALie() {
    assertThat(Claims.notFoundIsALie(claimed, seg("0", 9))).isTrue();
    assertThat(Claims.notFoundIsALie(claimed, seg("0", 10))).isTrue();
  }

  @Test
  void theFourOldestSegmentsOfATrack_mayHaveJustSlidOut_soTheyAreNoLie() {
    for (long n = 5; n <= 8; n++) {
      assertThat(Claims.notFoundIsALie(claimed, seg("0", n))).as("segment %d", n).isFalse();
    }
    assertThat(Claims.notFoundIsALie(claimed, seg("1", 9))).as("the only one of its track").isFalse();
  }

  @Test
  void aClaimedInitSegment_neverSlides_soItIsALie() {
    assertThat(Claims.notFoundIsALie(claimed, SegmentRef.init("main", "0"))).isTrue();
  }

  @Test
  void aSegmentNoLongerClaimed_isNoLie() {
    assertThat(Claims.notFoundIsALie(claimed, seg("0", 11))).isFalse();
    assertThat(Claims.notFoundIsALie(List.of(), seg("0", 8))).isFalse();
  }
}
