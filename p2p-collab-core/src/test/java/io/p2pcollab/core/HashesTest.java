package io.p2pcollab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading {@code hashes.json}, the integrity list of unsigned streams. */
class HashesTest {

  private static final String A = Hashes.sha256Hex("a".getBytes(StandardCharsets.US_ASCII));
  private static final String B = Hashes.sha256Hex("b".getBytes(StandardCharsets.US_ASCII));

  @Test
  void parseList_keepsWellFormedEntries_inFileOrder() {
    Map<SegmentRef, String> got = Hashes.parseList("main",
        "{\"init-stream0.m4s\":\"" + A + "\",\"chunk-stream1-00042.m4s\":\"" + B + "\",\"future\":{\"x\":[1]}}");
    assertThat(got).containsExactly(
        Map.entry(SegmentRef.init("main", "0"), A), Map.entry(new SegmentRef("main", "1", 42), B));
    assertThat(Hashes.matches("b".getBytes(StandardCharsets.US_ASCII), got.get(new SegmentRef("main", "1", 42)))).isTrue();
  }

  @Test
  void parseList_leavesOutBadNamesAndValues() {
    Map<SegmentRef, String> got = Hashes.parseList("main", "{"
        + "\"../etc/passwd\":\"" + A + "\","
        + "\"chunk-stream0-42.m4s\":\"" + A + "\"," // not the canonical 5-digit name
        + "\"chunk-stream0-00001.m4s\":\"" + A.toUpperCase() + "\","
        + "\"chunk-stream0-00002.m4s\":\"" + A.substring(1) + "\","
        + "\"chunk-stream0-00003.m4s\":42,"
        + "\"chunk-stream0-00004.m4s\":\"" + B + "\"}");
    assertThat(got).containsOnlyKeys(new SegmentRef("main", "0", 4));
  }

  @Test
  void parseList_refusesWhatIsNotOneObject_orTooLarge() {
    for (String bad : new String[] {"[]", "\"x\"", "{", "{}{}", "{\"a\":1,}", "not json", "{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}"}) {
      assertThatThrownBy(() -> Hashes.parseList("main", bad)).as(bad)
          .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE));
    }
    String huge = "{\"x\":\"" + "a".repeat(Hashes.MAX_LIST_CHARS) + "\"}";
    assertThatThrownBy(() -> Hashes.parseList("main", huge))
        .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
    assertThatThrownBy(() -> Hashes.parseList("../x", "{}")).isInstanceOf(IllegalArgumentException.class);
  }
}
