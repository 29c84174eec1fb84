package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.SegmentAssembler;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SegmentServerTest {

  private static final SegmentRef INIT = SegmentRef.init("main", "0");
  private static final SegmentRef SEG_7 = new SegmentRef("main", "0", 7);
  private static final SegmentRef SEG_8 = new SegmentRef("main", "0", 8);

  private final WireCodec codec = WireCodec.binary();
  private final InMemorySegmentSource source = new InMemorySegmentSource();
  private final RecordingSink sink = new RecordingSink();
  private final ServingCounters counters = new ServingCounters();
  private final SegmentServer server = new SegmentServer(sink, source, List.of("main"), 2, counters);

  @Test
  void announceAll_sendsTheWindow_initFirst() {
    source.put(SEG_7, bytes(10, 1));
    source.put(INIT, bytes(10, 2));
    source.put(new SegmentRef("other", "0", 1), bytes(10, 3));

    server.announceAll();

    WireMessage.Have have = (WireMessage.Have) sink.only();
    assertThat(have.stream()).isEqualTo("main");
    assertThat(have.refs()).containsExactly(INIT, SEG_7);
  }

  @Test
  void request_isAnsweredInOrderedChunksOfAtMost16KiB() {
    byte[] segment = bytes(40_000, 4);
    source.put(SEG_7, segment);

    server.onMessage(encode(new WireMessage.Request(5, SEG_7)));

    List<WireMessage.Data> chunks = sink.data();
    assertThat(chunks).extracting(WireMessage.Data::payloadLength).containsExactly(16_384, 16_384, 7_232);
    assertThat(reassemble(5, chunks)).isEqualTo(segment);
    assertThat(counters.bytesServed).isEqualTo(40_000);
    assertThat(counters.segmentsServed).isEqualTo(1);
    assertThat(server.activeTransfers()).isZero();
  }

  @Test
  void request_forAnUnheldSegment_getsNotFound() {
    server.onMessage(encode(new WireMessage.Request(9, SEG_8)));
    server.onMessage(encode(new WireMessage.Request(10, new SegmentRef("other", "0", 1))));

    assertThat(sink.errors()).extracting(WireMessage.Error::requestId, WireMessage.Error::code)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(9L, WireMessage.Error.NOT_FOUND),
            org.assertj.core.groups.Tuple.tuple(10L, WireMessage.Error.NOT_FOUND));
    assertThat(counters.requestsRefused).isEqualTo(2);
  }

  @Test
  void backPressure_stopsChunks_andPumpResumesWhereItStopped() {
    byte[] segment = bytes(100_000, 5);
    source.put(SEG_7, segment);
    sink.capacity = 2;

    server.onMessage(encode(new WireMessage.Request(1, SEG_7)));
    assertThat(sink.data()).hasSize(2);

    sink.capacity = 3;
    server.pump();
    assertThat(sink.data()).hasSize(5);

    sink.capacity = Integer.MAX_VALUE;
    server.pump();
    assertThat(reassemble(1, sink.data())).isEqualTo(segment);
  }

  @Test
  void moreRequestsThanSlots_getBusy_andDuplicateIdsAreBadRequests() {
    source.put(SEG_7, bytes(50_000, 6));
    source.put(SEG_8, bytes(50_000, 7));
    sink.capacity = 0; // nothing leaves, so both transfers stay active

    server.onMessage(encode(new WireMessage.Request(1, SEG_7)));
    server.onMessage(encode(new WireMessage.Request(1, SEG_8)));
    server.onMessage(encode(new WireMessage.Request(2, SEG_8)));
    server.onMessage(encode(new WireMessage.Request(3, SEG_8)));

    assertThat(sink.errors()).extracting(WireMessage.Error::requestId, WireMessage.Error::code)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, WireMessage.Error.BAD_REQUEST),
            org.assertj.core.groups.Tuple.tuple(3L, WireMessage.Error.BUSY));
    assertThat(server.activeTransfers()).isEqualTo(2);
  }

  @Test
  void cancel_stopsTheTransfer_andFreesTheSlot() {
    source.put(SEG_7, bytes(100_000, 8));
    sink.capacity = 1;
    server.onMessage(encode(new WireMessage.Request(1, SEG_7)));

    server.onMessage(encode(new WireMessage.Cancel(1)));
    sink.capacity = Integer.MAX_VALUE;
    server.pump();

    assertThat(sink.data()).hasSize(1);
    assertThat(server.activeTransfers()).isZero();
    assertThat(counters.segmentsServed).isZero();
  }

  @Test
  void malformedMessages_getAnErrorWithRequestIdZero_andServingGoesOn() {
    source.put(SEG_7, bytes(100, 9));

    server.onMessage(new byte[] {0x7F, 1, 2});
    server.onMessage(new byte[0]);
    server.onMessage(new byte[20_000]);
    server.onMessage(encode(new WireMessage.Request(4, SEG_7)));

    assertThat(sink.errors()).extracting(WireMessage.Error::requestId).containsOnly(0L);
    assertThat(sink.errors()).extracting(WireMessage.Error::code)
        .containsExactly(WireMessage.Error.BAD_REQUEST, WireMessage.Error.BAD_REQUEST, WireMessage.Error.TOO_LARGE);
    assertThat(reassemble(4, sink.data())).hasSize(100);
  }

  @Test
  void have_forAHugeWindow_keepsInitAndNewestThatFitOneMessage() {
    List<SegmentRef> window = new ArrayList<>();
    window.add(INIT);
    for (long n = 0; n < 10_000; n++) {
      window.add(new SegmentRef("main", "0", n));
    }

    WireMessage.Have have = SegmentServer.have("main", window);

    assertThat(codec.encode(have).remaining()).isLessThanOrEqualTo(WireCodec.MAX_MESSAGE_BYTES);
    assertThat(have.refs().get(0)).isEqualTo(INIT);
    assertThat(have.refs().get(1).number()).isEqualTo(9_999);
    assertThat(have.refs()).hasSizeGreaterThan(2_000);
  }

  private byte[] encode(WireMessage m) {
    ByteBuffer b = codec.encode(m);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static byte[] reassemble(long requestId, List<WireMessage.Data> chunks) {
    SegmentAssembler assembler = new SegmentAssembler(requestId);
    chunks.forEach(assembler::accept);
    return assembler.segment();
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Decodes what the server sends; takes {@code capacity} more messages, then is not writable. */
  private final class RecordingSink implements WireSink {
    final List<WireMessage> sent = new ArrayList<>();
    int capacity = Integer.MAX_VALUE;

    @Override
    public boolean send(ByteBuffer message) {
      sent.add(codec.decode(message));
      if (capacity != Integer.MAX_VALUE) {
        capacity--;
      }
      return true;
    }

    @Override
    public boolean writable() {
      return capacity > 0;
    }

    WireMessage only() {
      assertThat(sent).hasSize(1);
      return sent.get(0);
    }

    List<WireMessage.Data> data() {
      return sent.stream().filter(m -> m instanceof WireMessage.Data).map(m -> (WireMessage.Data) m).toList();
    }

    List<WireMessage.Error> errors() {
      return sent.stream().filter(m -> m instanceof WireMessage.Error).map(m -> (WireMessage.Error) m).toList();
    }
  }
}
