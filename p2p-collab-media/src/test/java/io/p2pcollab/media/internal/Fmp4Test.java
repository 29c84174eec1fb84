package io.p2pcollab.media.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.media.testing.RecordedContribution;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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

  // Crafted fragments: one traf of the timing track whose tfhd gives a default duration (1000) and
  // default flags, a tfdt, then the trun under test; and an mdat of `mdatBytes`.

  @Test
  @Timeout(value = 2, unit = TimeUnit.SECONDS)
  void aTrunWithoutPerSampleFields_countingMoreSamplesThanItsMdatHoldsBytes_isRefusedAtOnce() {
    Fmp4.Init init = Fmp4.parseInit(rec.init);
    // 2^32 - 1 samples and not one byte per sample: once read sample by sample, 4 billion turns.
    byte[] fragment = fragment(init, trun(0, 0xFFFFFFFFL), 100);

    assertThatThrownBy(() -> Fmp4.parseFragment(fragment, init))
        .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE))
        .hasMessageContaining("more than its mdat holds");
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.SECONDS)
  void aTrunWithoutPerSampleFields_isSummedInOneStep_fromTheDefaults() {
    Fmp4.Init init = Fmp4.parseInit(rec.init);
    byte[] fragment = fragment(init, trun(0, 50), 4_000_000); // 50 samples of the default 1000 ticks

    Fmp4.Fragment f = Fmp4.parseFragment(fragment, init);

    assertThat(f.duration()).isEqualTo(50_000);
    assertThat(f.startsWithKeyFrame()).isTrue(); // the tfhd's default flags: a sync sample
  }

  @Test
  void aTrunWithFirstSampleFlags_takesTheKeyFrameFromThem() {
    Fmp4.Init init = Fmp4.parseInit(rec.init);
    byte[] nonSync = fragment(init, trun(0x004, 3, 0x10000), 100);

    assertThat(Fmp4.parseFragment(nonSync, init).startsWithKeyFrame()).isFalse();
    assertThat(Fmp4.parseFragment(nonSync, init).duration()).isEqualTo(3000);
  }

  @Test
  void aTrunCountingMoreSamplesThanItsBoxHoldsFieldsFor_isRefused() {
    Fmp4.Init init = Fmp4.parseInit(rec.init);
    // per-sample durations (4 bytes each) for 5 samples, but a count of 6
    byte[] fragment = fragment(init, trun(0x100, 6, 10, 20, 30, 40, 50), 100);
    byte[] honest = fragment(init, trun(0x100, 5, 10, 20, 30, 40, 50), 100);

    assertThatThrownBy(() -> Fmp4.parseFragment(fragment, init))
        .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE))
        .hasMessageContaining("beyond its box");
    assertThat(Fmp4.parseFragment(honest, init).duration()).isEqualTo(150);
  }

  @Test
  void aTrunWithPerSampleFields_countingMoreSamplesThanItsMdatHoldsBytes_isRefused() {
    Fmp4.Init init = Fmp4.parseInit(rec.init);
    byte[] fragment = fragment(init, trun(0x100, 5, 10, 20, 30, 40, 50), 4);

    assertThatThrownBy(() -> Fmp4.parseFragment(fragment, init))
        .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE));
  }

  /** A trun box: flags, sample count, then {@code fields} (first-sample flags and/or per-sample values). */
  private static byte[] trun(int flags, long count, int... fields) {
    ByteBuffer b = ByteBuffer.allocate(8 + fields.length * 4).putInt(flags).putInt((int) count);
    for (int f : fields) {
      b.putInt(f);
    }
    return box("trun", b.array());
  }

  private static byte[] fragment(Fmp4.Init init, byte[] trun, int mdatBytes) {
    // tfhd: default-sample-duration (0x08) 1000 ticks, default-sample-flags (0x20) 0: sync samples
    byte[] tfhd = box("tfhd", ByteBuffer.allocate(16).putInt(0x28).putInt(init.timing().id()).putInt(1000).putInt(0).array());
    byte[] tfdt = box("tfdt", ByteBuffer.allocate(8).putInt(0).putInt(90_000).array());
    byte[] moof = box("moof", box("traf", RecordedContribution.concat(RecordedContribution.concat(tfhd, tfdt), trun)));
    return RecordedContribution.concat(moof, box("mdat", new byte[mdatBytes]));
  }

  private static byte[] box(String type, byte[] body) {
    return ByteBuffer.allocate(8 + body.length).putInt(8 + body.length).put(type.getBytes()).put(body).array();
  }
}
