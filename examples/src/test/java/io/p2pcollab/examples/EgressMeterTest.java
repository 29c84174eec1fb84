package io.p2pcollab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.examples.EgressMeter.Kind;
import org.junit.jupiter.api.Test;

/** What each response the reference server sends counts as (docs/benchmarks.md, origin accounting). */
class EgressMeterTest {

  @Test
  void aStreamsFilesAreItsSegmentsAndTheirMetadata() {
    assertThat(Kind.of("/live/main/chunk-stream0-00042.m4s")).isEqualTo(Kind.MEDIA);
    assertThat(Kind.of("/live/cam-a/init-stream1.m4s")).isEqualTo(Kind.INIT);
    assertThat(Kind.of("/live/main/manifest.mpd")).isEqualTo(Kind.MPD);
    assertThat(Kind.of("/live/main/hashes.json")).isEqualTo(Kind.HASHES);
    assertThat(Kind.of("/live/main/signatures.json")).isEqualTo(Kind.SIGNATURES);
  }

  @Test
  void staticFilesAndTheApiAreCountedApart() {
    assertThat(Kind.of("/p2p-collab/content-loader.js")).isEqualTo(Kind.SDK);
    assertThat(Kind.of("/vendor/shaka-player.compiled.js")).isEqualTo(Kind.PLAYER);
    assertThat(Kind.of("/")).isEqualTo(Kind.PAGE);
    assertThat(Kind.of("/demo.js")).isEqualTo(Kind.PAGE);
    assertThat(Kind.of("/config.json")).isEqualTo(Kind.API);
    assertThat(Kind.of("/stats.json")).isEqualTo(Kind.API);
    assertThat(Kind.of("/operator/streams.json")).isEqualTo(Kind.OPERATOR);
  }
}
