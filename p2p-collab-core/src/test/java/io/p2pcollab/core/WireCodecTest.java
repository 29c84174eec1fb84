package io.p2pcollab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import io.p2pcollab.core.WireMessage.Cancel;
import io.p2pcollab.core.WireMessage.Data;
import io.p2pcollab.core.WireMessage.Have;
import io.p2pcollab.core.WireMessage.Held;
import io.p2pcollab.core.WireMessage.Request;
import io.p2pcollab.core.testing.Fixtures;
import io.p2pcollab.core.testing.WireFields;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WireCodecTest {

  private static final HexFormat HEX = HexFormat.of();
  private final WireCodec codec = WireCodec.binary();

  static Stream<JsonObject> valid() {
    return Fixtures.section("wire.json", "valid").stream();
  }

  static Stream<JsonObject> invalid() {
    return Fixtures.section("wire.json", "invalid").stream();
  }

  private static String hex(ByteBuffer b) {
    byte[] bytes = new byte[b.remaining()];
    b.duplicate().get(bytes);
    return HEX.formatHex(bytes);
  }

  @Test
  void fixtures_coverEveryMessageType() {
    assertThat(valid().<Class<?>>map(f -> WireFields.message(f.getAsJsonObject("fields")).getClass()).distinct())
        .containsExactlyInAnyOrder(Have.class, Request.class, Data.class, Cancel.class, WireMessage.Error.class,
            WireMessage.Push.class, WireMessage.Ack.class, WireMessage.Statement.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void validFixture_encodesToHex_andDecodesToFields(JsonObject fixture) {
    WireMessage message = WireFields.message(fixture.getAsJsonObject("fields"));
    String hex = fixture.get("hex").getAsString();

    assertThat(hex(codec.encode(message))).isEqualTo(hex);
    assertThat(codec.decode(ByteBuffer.wrap(HEX.parseHex(hex)))).isEqualTo(message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidFixture_failsWithItsCode(JsonObject fixture) {
    byte[] bytes = HEX.parseHex(fixture.get("hex").getAsString());
    if (fixture.has("padTo")) {
      bytes = Arrays.copyOf(bytes, fixture.get("padTo").getAsInt());
    }
    ErrorCode expected = ErrorCode.valueOf(fixture.get("error").getAsString());
    ByteBuffer input = ByteBuffer.wrap(bytes);

    assertThatThrownBy(() -> codec.decode(input))
        .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(expected));
  }

  @Test
  void fullSizeData_roundTrips_atTheSizeLimit() {
    byte[] payload = new byte[WireMessage.MAX_PAYLOAD];
    new SplittableRandom(1).nextBytes(payload);
    Data data = new Data(0xFFFFFFFFL, 0xFFFFFFFFL, 0xFFFFFFFFL - payload.length, payload);

    ByteBuffer encoded = codec.encode(data);

    assertThat(encoded.remaining()).isEqualTo(1 + 12 + WireMessage.MAX_PAYLOAD);
    assertThat(codec.decode(encoded)).isEqualTo(data);
  }

  @Test
  void decode_readsFromPosition_andLeavesTheBufferAlone() {
    ByteBuffer framed = ByteBuffer.allocate(10);
    framed.put((byte) 0x77).put(HEX.parseHex("0400000007")).flip().position(1);

    assertThat(codec.decode(framed)).isEqualTo(new Cancel(7));
    assertThat(framed.position()).isEqualTo(1);
  }

  @Test
  void haveTooLargeForOneMessage_isRefusedAtEncode() {
    List<Held> held = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      held.add(new Held("0", i)); // 6 bytes each: 18 000 bytes
    }

    assertThatThrownBy(() -> codec.encode(new Have("main", held)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds");
  }

  @Test
  void have_convertsToAndFromSegmentRefs() {
    List<SegmentRef> refs = List.of(SegmentRef.init("main", "0"), new SegmentRef("main", "1", 9));

    assertThat(Have.of("main", refs).refs()).isEqualTo(refs);
    assertThatThrownBy(() -> Have.of("other", refs)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void errorOf_mapsDecodeFailuresToWireCodes() {
    assertThat(WireMessage.Error.of(new P2pCollabException(ErrorCode.FRAME_TOO_LARGE, "x")).code())
        .isEqualTo(WireMessage.Error.TOO_LARGE);
    WireMessage.Error bad = WireMessage.Error.of(new P2pCollabException(ErrorCode.BAD_MESSAGE, "é".repeat(300)));
    assertThat(bad.code()).isEqualTo(WireMessage.Error.BAD_REQUEST);
    assertThat(bad.requestId()).isZero();
    assertThat(codec.decode(codec.encode(bad))).isEqualTo(bad); // truncated to fit str8
  }

  @Test
  void garbage_neverThrowsAnythingButP2pCollabException() {
    SplittableRandom random = new SplittableRandom(42);
    List<byte[]> seeds = valid().map(f -> HEX.parseHex(f.get("hex").getAsString())).toList();
    int decoded = 0;
    for (int i = 0; i < 50_000; i++) {
      byte[] input;
      if (i % 2 == 0) {
        input = new byte[random.nextInt(40)];
        random.nextBytes(input);
        if (input.length > 0) {
          input[0] = (byte) random.nextInt(9); // mostly known types, to get past the first byte
        }
      } else {
        byte[] seed = seeds.get(random.nextInt(seeds.size()));
        input = Arrays.copyOf(seed, Math.max(0, seed.length + random.nextInt(5) - 2));
        for (int k = random.nextInt(3); k >= 0 && input.length > 0; k--) {
          input[random.nextInt(input.length)] = (byte) random.nextInt(256);
        }
      }
      WireMessage message;
      try {
        message = codec.decode(ByteBuffer.wrap(input));
      } catch (P2pCollabException expected) {
        continue;
      } catch (RuntimeException e) {
        throw new AssertionError("decode threw " + e + " for " + HEX.formatHex(input), e);
      }
      decoded++;
      // Whatever decodes re-encodes to exactly the same bytes: the encoding is canonical.
      assertThat(hex(codec.encode(message))).isEqualTo(HEX.formatHex(input));
    }
    assertThat(decoded).isGreaterThan(1_000);
  }
}
