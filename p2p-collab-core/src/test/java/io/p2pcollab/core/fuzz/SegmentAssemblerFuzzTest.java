package io.p2pcollab.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.SegmentAssembler;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzzing of reassembly from what a peer sends (docs/security.md "Fuzzing"). The
 * input is a sequence of data-channel messages, each preceded by a u16 length (seeds under {@code
 * SegmentAssemblerFuzzTestInputs/assemble/}); each is decoded like a received message and the DATA
 * chunks go to one assembler, as a receiving peer does.
 */
class SegmentAssemblerFuzzTest {

  /** Small, so that the fuzzer reaches the limit and allocations stay cheap. */
  private static final int MAX_SEGMENT = 64 * 1024;

  private static final long REQUEST_ID = 7;

  /**
   * Only {@link P2pCollabException} escapes; the assembler never holds more than the announced
   * length; once complete, the segment is exactly the bytes of the accepted chunks, and anything
   * after that is refused.
   */
  @FuzzTest(maxDuration = "30s")
  void assemble(byte[] input) {
    SegmentAssembler assembler = new SegmentAssembler(REQUEST_ID, MAX_SEGMENT);
    ByteArrayOutputStream accepted = new ByteArrayOutputStream();
    ByteBuffer in = ByteBuffer.wrap(input);
    while (in.remaining() >= 2) {
      int length = Math.min(in.getShort() & 0xFFFF, in.remaining());
      ByteBuffer message = in.slice().limit(length);
      in.position(in.position() + length);
      WireMessage decoded;
      try {
        decoded = WireCodec.binary().decode(message);
      } catch (P2pCollabException refused) {
        continue; // the receiver answers with an ERROR; the assembler never sees it
      }
      if (!(decoded instanceof WireMessage.Data chunk)) {
        continue;
      }
      boolean wasComplete = assembler.isComplete();
      boolean complete;
      try {
        complete = assembler.accept(chunk);
      } catch (P2pCollabException refused) {
        assertThat(assembler.isComplete()).isFalse();
        return; // the peer broke the protocol: the receiver drops everything and cuts it
      }
      assertThat(wasComplete).as("accepted a chunk after completion").isFalse();
      accepted.writeBytes(chunk.payload());
      assertThat(assembler.received()).isEqualTo(accepted.size()).isLessThanOrEqualTo(assembler.totalLength());
      assertThat(assembler.totalLength()).isLessThanOrEqualTo(MAX_SEGMENT);
      assertThat(complete).isEqualTo(assembler.received() == assembler.totalLength());
      if (complete) {
        assertThat(assembler.segment()).isEqualTo(accepted.toByteArray());
      }
    }
  }
}
