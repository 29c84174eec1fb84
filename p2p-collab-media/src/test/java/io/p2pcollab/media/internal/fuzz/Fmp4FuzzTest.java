package io.p2pcollab.media.internal.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.media.internal.Fmp4;
import io.p2pcollab.media.testing.RecordedContribution;

/**
 * Coverage-guided fuzzing of the fragmented-MP4 reader that guards contributed segments
 * (docs/security.md "Fuzzing"); seeds are a real Chromium recording's init and media segments,
 * under {@code Fmp4FuzzTestInputs/parse/}.
 */
class Fmp4FuzzTest {

  private static final Fmp4.Init INIT = Fmp4.parseInit(RecordedContribution.load().init);

  /**
   * Whatever bytes a contributor pushes, reading them as an initialization or a media segment
   * either succeeds with sane values or fails with {@code BAD_MESSAGE}, nothing else.
   */
  @FuzzTest(maxDuration = "30s")
  void parse(byte[] input) {
    try {
      Fmp4.Init init = Fmp4.parseInit(input);
      assertThat(init.tracks()).isNotEmpty().hasSizeLessThanOrEqualTo(4);
      assertThat(init.timing().timescale()).isPositive();
    } catch (P2pCollabException refused) {
      assertThat(refused.code()).isEqualTo(ErrorCode.BAD_MESSAGE);
    }
    try {
      Fmp4.Fragment f = Fmp4.parseFragment(input, INIT);
      assertThat(f.duration()).isPositive();
    } catch (P2pCollabException refused) {
      assertThat(refused.code()).isEqualTo(ErrorCode.BAD_MESSAGE);
    }
  }
}
