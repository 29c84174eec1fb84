package io.p2pcollab.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingCodec;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the signaling JSON decoder (docs/security.md "Fuzzing"). Without
 * {@code JAZZER_FUZZ} it replays its seed corpus ({@code
 * src/test/resources/io/p2pcollab/core/fuzz/SignalingCodecFuzzTestInputs/decode/}, the frames of
 * fixtures/signaling.json) as a regular test; {@code .ci/fuzz} runs it coverage-guided.
 */
class SignalingCodecFuzzTest {

  private static final SignalingCodec CODEC = SignalingCodec.json();

  /**
   * Whatever a peer sends, decoding fails with {@link P2pCollabException} and nothing else, and a
   * frame that decodes re-encodes to a canonical frame that decodes to the same message and
   * encodes to itself.
   */
  @FuzzTest(maxDuration = "30s")
  void decode(byte[] input) {
    // Malformed UTF-8 becomes U+FFFD, as in the WebSocket adapter's text decoding.
    String frame = new String(input, StandardCharsets.UTF_8);
    SignalMessage message;
    try {
      message = CODEC.decode(frame);
    } catch (P2pCollabException refused) {
      assertThat(refused.code()).isNotNull();
      return;
    }
    String canonical = CODEC.encode(message);
    if (canonical.getBytes(StandardCharsets.UTF_8).length > SignalingCodec.MAX_FRAME_BYTES) {
      // Encoding may grow a frame (U+2028 is written escaped): a limit of the relay, see
      // docs/security.md, not a decoding bug.
      return;
    }
    assertThat(CODEC.decode(canonical)).isEqualTo(message);
    assertThat(CODEC.encode(CODEC.decode(canonical))).isEqualTo(canonical);
  }
}
