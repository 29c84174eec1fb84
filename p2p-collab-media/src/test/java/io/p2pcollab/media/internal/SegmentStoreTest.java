package io.p2pcollab.media.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentVerifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentStoreTest {

  private final SegmentStore store = new SegmentStore();

  private static byte[] bytes(int n) {
    byte[] b = new byte[1000];
    java.util.Arrays.fill(b, (byte) n);
    return b;
  }

  @Test
  void add_hashesSignsAndAnnounces_once() {
    String key = store.open("main", 4);
    List<SegmentRef> announced = new ArrayList<>();
    store.onSegment(announced::add);
    SegmentRef ref = new SegmentRef("main", "0", 1);
    assertThat(store.add(ref, bytes(1))).isTrue();
    assertThat(store.add(ref, bytes(1))).as("already held").isFalse();
    assertThat(announced).containsExactly(ref);
    assertThat(store.segment(ref)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes(1)));
    String hashes = new String(store.hashesJson("main").orElseThrow(), StandardCharsets.UTF_8);
    assertThat(hashes).isEqualTo("{\"chunk-stream0-00001.m4s\":\"" + Hashes.sha256Hex(bytes(1)) + "\"}");
    var verified = SegmentVerifier.forPublicKey(key)
        .verifyAll("main", new String(store.signaturesJson("main").orElseThrow(), StandardCharsets.UTF_8));
    assertThat(verified.trusted()).containsKey(ref);
  }

  @Test
  void statement_isTheSignatureMadeWhenTheSegmentWasAdded_untilItLeavesTheWindow() {
    String key = store.open("main", 1);
    SegmentRef one = new SegmentRef("main", "0", 1);
    store.add(one, bytes(1));

    assertThat(store.statement(one)).hasValueSatisfying(
        s -> assertThat(SegmentVerifier.forPublicKey(key).verify(one, s, bytes(1))).isTrue());
    assertThat(store.statement(one)).isEqualTo(store.get("main", one.fileName()).map(SegmentStore.Stored::signature));
    store.add(new SegmentRef("main", "0", 2), bytes(2));
    assertThat(store.statement(one)).as("evicted").isEmpty();
    assertThat(store.statement(new SegmentRef("nope", "0", 1))).isEmpty();
  }

  @Test
  void theWindow_keepsInitSegmentsAndTheNewestMediaSegmentsPerTrack() {
    store.open("main", 2);
    store.add(SegmentRef.init("main", "0"), bytes(0));
    for (int i = 1; i <= 4; i++) {
      store.add(new SegmentRef("main", "0", i), bytes(i));
      store.add(new SegmentRef("main", "1", i), bytes(i));
    }
    assertThat(store.window("main")).extracting(SegmentRef::fileName).containsExactly(
        "init-stream0.m4s", "chunk-stream0-00003.m4s", "chunk-stream1-00003.m4s",
        "chunk-stream0-00004.m4s", "chunk-stream1-00004.m4s");
    assertThat(store.hashesJson("main").map(b -> new String(b, StandardCharsets.UTF_8)).orElseThrow())
        .doesNotContain("chunk-stream0-00001.m4s");
  }

  @Test
  void reopening_startsOverWithANewKey() {
    String first = store.open("main", 4);
    store.add(new SegmentRef("main", "0", 1), bytes(1));
    String second = store.open("main", 4);
    assertThat(second).isNotEqualTo(first);
    assertThat(store.window("main")).isEmpty();
  }

  @Test
  void bitrate_isMeasuredFromTheWindow() {
    store.open("main", 10);
    for (int i = 1; i <= 4; i++) {
      store.add(new SegmentRef("main", "0", i), new byte[100_000]);
      store.add(new SegmentRef("main", "1", i), new byte[8_000]);
    }
    assertThat(store.bitrateBps("main", 1.0)).isEqualTo(864_000);
  }

  @Test
  void unknownStreams_holdNothing() {
    assertThat(store.add(new SegmentRef("nope", "0", 1), bytes(1))).isFalse();
    assertThat(store.manifest("nope")).isEmpty();
    assertThat(store.window("nope")).isEmpty();
  }
}
