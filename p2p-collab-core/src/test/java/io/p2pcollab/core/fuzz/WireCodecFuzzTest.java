package io.p2pcollab.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzzing of the binary wire decoder (docs/security.md "Fuzzing"); seeds are the
 * messages of fixtures/wire.json, under {@code WireCodecFuzzTestInputs/decode/}.
 */
class WireCodecFuzzTest {

  private static final WireCodec CODEC = WireCodec.binary();

  /**
   * Whatever bytes a peer sends, decoding fails with {@link P2pCollabException} and nothing else,
   * leaves the buffer untouched, and a message that decodes has exactly those bytes as its
   * encoding: the wire format has one spelling per message.
   */
  @FuzzTest(maxDuration = "30s")
  void decode(byte[] input) {
    ByteBuffer buffer = ByteBuffer.wrap(input);
    WireMessage message;
    try {
      message = CODEC.decode(buffer);
    } catch (P2pCollabException refused) {
      assertThat(refused.code()).isNotNull();
      assertThat(buffer.position()).isZero();
      return;
    }
    assertThat(buffer.position()).isZero();
    assertThat(CODEC.encode(message)).isEqualTo(ByteBuffer.wrap(input));
  }
}
