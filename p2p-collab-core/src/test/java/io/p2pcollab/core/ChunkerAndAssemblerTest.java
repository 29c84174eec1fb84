package io.p2pcollab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.WireMessage.Data;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ChunkerAndAssemblerTest {

  private static byte[] segment(int length) {
    byte[] bytes = new byte[length];
    new SplittableRandom(length).nextBytes(bytes);
    return bytes;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 16_383, 16_384, 16_385, 100_000, 1_048_576})
  void split_thenAssemble_overTheWire_givesTheSegmentBack(int length) {
    byte[] original = segment(length);
    WireCodec codec = WireCodec.binary();
    SegmentAssembler assembler = new SegmentAssembler(9);

    List<Data> chunks = Chunker.split(9, original);
    boolean complete = false;
    for (Data chunk : chunks) {
      assertThat(complete).as("complete before the last chunk").isFalse();
      ByteBuffer wire = codec.encode(chunk);
      assertThat(wire.remaining()).isLessThanOrEqualTo(WireCodec.MAX_MESSAGE_BYTES);
      complete = assembler.accept((Data) codec.decode(wire));
    }

    assertThat(chunks).hasSize((length + WireMessage.MAX_PAYLOAD - 1) / WireMessage.MAX_PAYLOAD);
    assertThat(chunks.get(chunks.size() - 1).isLast()).isTrue();
    assertThat(complete).isTrue();
    assertThat(assembler.segment()).isEqualTo(original);
    assertThat(Hashes.sha256Hex(assembler.segment())).isEqualTo(Hashes.sha256Hex(original));
  }

  @Test
  void split_refusesEmptySegments_andBadChunkSizes() {
    assertThatThrownBy(() -> Chunker.split(1, new byte[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Chunker.split(1, new byte[5], 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Chunker.split(1, new byte[5], 16_385)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void chunkOutOfOrder_isBadMessage_andPoisonsTheAssembler() {
    List<Data> chunks = Chunker.split(1, segment(30), 10);
    SegmentAssembler assembler = new SegmentAssembler(1);
    assembler.accept(chunks.get(0));

    assertCode(() -> assembler.accept(chunks.get(2)), ErrorCode.BAD_MESSAGE);
    assertThatThrownBy(() -> assembler.accept(chunks.get(1))).isInstanceOf(IllegalStateException.class);
    assertThat(assembler.isComplete()).isFalse();
  }

  @Test
  void firstChunkNotAtZero_isBadMessage() {
    List<Data> chunks = Chunker.split(1, segment(30), 10);

    assertCode(() -> new SegmentAssembler(1).accept(chunks.get(1)), ErrorCode.BAD_MESSAGE);
  }

  @Test
  void chunkOfAnotherRequest_isBadMessage() {
    assertCode(() -> new SegmentAssembler(1).accept(Chunker.split(2, segment(5)).get(0)), ErrorCode.BAD_MESSAGE);
  }

  @Test
  void totalLengthChangingMidway_isBadMessage() {
    SegmentAssembler assembler = new SegmentAssembler(1);
    assembler.accept(new Data(1, 20, 0, new byte[10]));

    assertCode(() -> assembler.accept(new Data(1, 30, 10, new byte[10])), ErrorCode.BAD_MESSAGE);
  }

  @Test
  void chunkAfterCompletion_isBadMessage() {
    SegmentAssembler assembler = new SegmentAssembler(1);
    assertThat(assembler.accept(new Data(1, 10, 0, new byte[10]))).isTrue();

    assertCode(() -> assembler.accept(new Data(1, 10, 0, new byte[10])), ErrorCode.BAD_MESSAGE);
  }

  @Test
  void announcedLengthOverTheMaximum_isRefusedBeforeAllocating() {
    SegmentAssembler assembler = new SegmentAssembler(1, 1_000);

    assertCode(() -> assembler.accept(new Data(1, 0xFFFFFFFFL, 0, new byte[10])), ErrorCode.FRAME_TOO_LARGE);
    assertThat(new SegmentAssembler(2, 1_000).accept(new Data(2, 1_000, 0, new byte[1_000]))).isTrue();
  }

  @Test
  void segment_beforeCompletion_isIllegalState() {
    SegmentAssembler assembler = new SegmentAssembler(1);
    assembler.accept(new Data(1, 20, 0, new byte[10]));

    assertThat(assembler.received()).isEqualTo(10);
    assertThat(assembler.totalLength()).isEqualTo(20);
    assertThatThrownBy(assembler::segment).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void data_isImmutable() {
    byte[] payload = {1, 2, 3};
    Data data = new Data(1, 3, 0, payload);
    payload[0] = 9;
    data.payload()[1] = 9;

    assertThat(data.payload()).containsExactly(1, 2, 3);
    assertThat(data).isEqualTo(new Data(1, 3, 0, new byte[] {1, 2, 3}));
  }

  private static void assertCode(Runnable call, ErrorCode code) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
