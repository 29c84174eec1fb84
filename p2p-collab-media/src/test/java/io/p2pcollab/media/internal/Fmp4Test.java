package io.p2pcollab.media.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.media.testing.RecordedContribution;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Reading what a browser's MediaRecorder produces, and refusing what it does not. */
class Fmp4Test {

  private final RecordedContribution rec = RecordedContribution.load();

  @Test
  void init_declaresTheVideoAndAudioTracks_withTheirCodecs() {
    Fmp4.Init init = Fmp4.parseInit(rec.init);

    assertThat(init.tracks()).hasSize(2);
    assertThat(init.timing().isVideo()).isTrue();
    assertThat(init.timing().timescale()).isEqualTo(30000);
    assertThat(init.timing().width()).isEqualTo(320);
    assertThat(init.timing().height()).isEqualTo(180);
    assertThat(init.codecs()).matches("avc1\\.[0-9A-F]{6},opus");
  }

  @Test
  void fragments_startWithAKeyFrame_andFollowEachOther() {
    Fmp4.Init init = Fmp4.parseInit(rec.init);
    long next = 0;
    for (byte[] segment : rec.segments) {
      Fmp4.Fragment f = Fmp4.parseFragment(segment, init);
      assertThat(f.startsWithKeyFrame()).isTrue();
      // Chromium estimates the last sample's duration: the next fragment may start a hair earlier.
      assertThat(f.decodeTime()).isCloseTo(next, org.assertj.core.data.Offset.offset(100L));
      assertThat(f.duration()).isBetween(3000L, 40_000L);
      next = f.decodeTime() + f.duration();
    }
    assertThat(rec.segments).hasSize(3);
  }

  @Test
  void aProducerReferenceTimeBox_isRead() {
    Fmp4.Init init = Fmp4.parseInit(rec.init);
    // prft v1: track 1, NTP time of 2026-01-01T00:00:00Z, media time 0
    long ntpSeconds = 1_767_225_600L + 2_208_988_800L;
    ByteBuffer prft = ByteBuffer.allocate(32).putInt(32).put("prft".getBytes()).putInt(0x01000000).putInt(1)
        .putLong(ntpSeconds << 32).putLong(0);
    Fmp4.Fragment f = Fmp4.parseFragment(RecordedContribution.concat(prft.array(), rec.segments.get(0)), init);

    assertThat(f.producerTimeMs()).isEqualTo(1_767_225_600_000L);
    assertThat(f.prftMediaTime()).isZero();
  }

  @Test
  void malformedInput_isRefusedAsABadMessage_neverAnotherException() {
    Fmp4.Init init = Fmp4.parseInit(rec.init);
    byte[] segment = rec.segments.get(0);
    byte[][] bad = {
      new byte[0],
      Arrays.copyOf(segment, 7),
      Arrays.copyOf(segment, segment.length / 2),
      Arrays.copyOf(rec.init, rec.init.length - 3),
      ByteBuffer.allocate(16).putInt(0xFFFFFFF0).put("moof".getBytes()).array(),
      ByteBuffer.allocate(16).putInt(1).put("moof".getBytes()).putLong(-1).array(),
    };
    for (byte[] b : bad) {
      assertThatThrownBy(() -> Fmp4.parseInit(b))
          .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE));
      assertThatThrownBy(() -> Fmp4.parseFragment(b, init))
          .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE));
    }
    assertThatThrownBy(() -> Fmp4.parseFragment(rec.init, init)).isInstanceOf(P2pCollabException.class);
    assertThatThrownBy(() -> Fmp4.parseInit(segment)).isInstanceOf(P2pCollabException.class);
    // Every single-byte corruption of the header region either parses or is a BAD_MESSAGE.
    for (int i = 0; i < 600; i++) {
      byte[] c = segment.clone();
      c[i] ^= (byte) 0xA5;
      try {
        Fmp4.parseFragment(c, init);
      } catch (P2pCollabException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE);
      }
    }
  }
}
