package io.p2pcollab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypesTest {

  @Test
  void peerId_random_is22Base64UrlChars_andDistinct() {
    SecureRandom random = new SecureRandom();
    Set<PeerId> seen = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      PeerId id = PeerId.random(random);
      assertThat(id.value()).hasSize(22).matches("[A-Za-z0-9_-]+");
      seen.add(id);
    }
    assertThat(seen).hasSize(1_000);
  }

  @Test
  void peerId_random_isDeterministicForASeededGenerator() {
    assertThat(PeerId.random(new SplittableRandom(7))).isEqualTo(PeerId.random(new SplittableRandom(7)));
    assertThat(PeerId.random(new SplittableRandom(7))).isNotEqualTo(PeerId.random(new SplittableRandom(8)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "short", "q3L0xYz9AbCdEfGhIjKlMnX", "q3L0xYz9AbCdEfGhIjKl+/", "q3L0xYz9AbCdEfGhIjKlM="})
  void peerId_rejectsMalformed(String value) {
    assertThat(PeerId.isValid(value)).isFalse();
    assertThatThrownBy(() -> new PeerId(value)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0, chunk-stream0-00000.m4s",
    "0, 42, chunk-stream0-00042.m4s",
    "1, 123456, chunk-stream1-123456.m4s",
    "v-1.a, 7, chunk-streamv-1.a-00007.m4s",
    "0, 4294967294, chunk-stream0-4294967294.m4s",
    "0, 4294967295, init-stream0.m4s",
  })
  void segmentRef_fileName_mapsBothWays(String track, long number, String fileName) {
    SegmentRef ref = new SegmentRef("main", track, number);

    assertThat(ref.fileName()).isEqualTo(fileName);
    assertThat(SegmentRef.fromFileName("main", fileName)).contains(ref);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "chunk-stream0-42.m4s", // not zero-padded: not canonical
    "chunk-stream0-000042.m4s",
    "chunk-stream0-0100000.m4s", // padded past 5 digits
    "chunk-stream0-4294967295.m4s", // that number means init
    "chunk-stream0-99999999999.m4s",
    "chunk-stream-00042.m4s",
    "init-stream.m4s",
    "init-stream0.mp4",
    "init-stream../x.m4s",
    "manifest.mpd",
    "hashes.json",
  })
  void segmentRef_fromFileName_rejectsOtherNames(String fileName) {
    assertThat(SegmentRef.fromFileName("main", fileName)).isEmpty();
  }

  @Test
  void segmentRef_validatesNames() {
    assertThat(SegmentRef.fromFileName("../etc", "init-stream0.m4s")).isEqualTo(Optional.empty());
    assertThatThrownBy(() -> new SegmentRef("a/b", "0", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SegmentRef(".hidden", "0", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SegmentRef("main", "", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SegmentRef("x".repeat(65), "0", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SegmentRef("main", "0", -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SegmentRef("main", "0", 1L << 32)).isInstanceOf(IllegalArgumentException.class);
    assertThat(SegmentRef.init("main", "0").isInit()).isTrue();
  }

  @Test
  void hashes_sha256_knownVector_andConstantTimeMatch() {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    String expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    assertThat(Hashes.sha256Hex(abc)).isEqualTo(expected);
    assertThat(Hashes.matches(abc, expected)).isTrue();
    assertThat(Hashes.matches(abc, expected.toUpperCase())).isTrue();
    assertThat(Hashes.matches("abd".getBytes(StandardCharsets.US_ASCII), expected)).isFalse();
    assertThat(Hashes.matches(abc, "zz")).isFalse();
    assertThat(Hashes.matches(abc, "g".repeat(64))).isFalse();
    assertThat(Hashes.matches(abc, null)).isFalse();
  }

  @Test
  void records_validateTheirFields() {
    assertThatThrownBy(() -> new PeerState(List.of(new StreamHolding("a", 1, 1), new StreamHolding("a", 2, 2)), 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StreamHolding("a", -1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StreamHolding("a", 0, -2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IceServer(List.of(), null, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IceCandidate("c", "0", -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StreamInfo("main", "", "/h")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new SignalMessage.Welcome(
                PeerId.random(new SplittableRandom(1)), List.of(), java.time.Duration.ofNanos(1), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void errorCode_wireNames_areStable() {
    assertThat(ErrorCode.values())
        .extracting(ErrorCode::wireName)
        .containsExactly(
            "BAD_FRAME", "FRAME_TOO_LARGE", "BAD_MESSAGE", "UNSUPPORTED_VERSION", "UNKNOWN_TYPE",
            "NOT_REGISTERED", "UNKNOWN_PEER", "UNKNOWN_STREAM", "RATE_LIMITED", "UNAUTHORIZED", "TOKEN_INVALID", "TOKEN_EXPIRED", "TOKEN_REPLAYED", "STREAM_TAKEN", "BANNED",
            "PENDING_LIMIT", "CLAIM_REFUSED", "NOT_NEIGHBOUR", "TOO_MANY_CONNECTIONS", "HELLO_TIMEOUT",
            "INTERNAL");
    assertThat(ErrorCode.fromWire("bad_message")).isEmpty();
  }
}
