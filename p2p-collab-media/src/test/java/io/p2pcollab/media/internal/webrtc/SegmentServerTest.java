package io.p2pcollab.media.internal.webrtc;

import static io.p2pcollab.media.internal.webrtc.ServingFixture.bytes;
import static io.p2pcollab.media.internal.webrtc.ServingFixture.reassemble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.ServingBudget;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The serving side of the wire protocol on one channel (protocol §2): what it announces and answers. */
class SegmentServerTest {

  private static final SegmentRef INIT = SegmentRef.init("main", "0");
  private static final SegmentRef SEG_7 = new SegmentRef("main", "0", 7);
  private static final SegmentRef SEG_8 = new SegmentRef("main", "0", 8);

  private final ServingFixture f = new ServingFixture();
  /** Two transfers at once, otherwise the default budget. */
  private final SegmentServer server = f.serverWith(new ServingBudget.Config(2, 16, 8, 32));

  @Test
  void announceAll_sendsTheWindow_initFirst() {
    f.source.put(SEG_7, bytes(10, 1));
    f.source.put(INIT, bytes(10, 2));
    f.source.put(new SegmentRef("unserved", "0", 1), bytes(10, 3));

    server.announceAll();

    assertThat(f.sink.sent).hasSize(2);
    WireMessage.Have have = (WireMessage.Have) f.sink.sent.get(0);
    assertThat(have.stream()).isEqualTo("main");
    assertThat(have.refs()).containsExactly(INIT, SEG_7);
    assertThat(((WireMessage.Have) f.sink.sent.get(1)).refs()).as("nothing held of 'other'").isEmpty();
  }

  @Test
  void request_isAnsweredInOrderedChunksOfAtMost16KiB() {
    byte[] segment = bytes(40_000, 4);
    f.source.put(SEG_7, segment);

    server.onMessage(f.encode(new WireMessage.Request(5, SEG_7)));

    List<WireMessage.Data> chunks = f.sink.data();
    assertThat(chunks).extracting(WireMessage.Data::payloadLength).containsExactly(16_384, 16_384, 7_232);
    assertThat(reassemble(5, chunks)).isEqualTo(segment);
    assertThat(f.counters.bytesServed).isEqualTo(40_000);
    assertThat(f.counters.segmentsServed).isEqualTo(1);
    assertThat(server.activeTransfers()).isZero();
  }

  @Test
  void request_forAnUnheldSegment_getsNotFound() {
    server.onMessage(f.encode(new WireMessage.Request(9, SEG_8)));
    server.onMessage(f.encode(new WireMessage.Request(10, new SegmentRef("unserved", "0", 1))));

    assertThat(f.sink.errors()).extracting(WireMessage.Error::requestId, WireMessage.Error::code)
        .containsExactly(
            tuple(9L, WireMessage.Error.NOT_FOUND),
            tuple(10L, WireMessage.Error.NOT_FOUND));
    assertThat(f.counters.requestsRefused).isEqualTo(2);
  }

  @Test
  void backPressure_stopsChunks_andPumpResumesWhereItStopped() {
    byte[] segment = bytes(100_000, 5);
    f.source.put(SEG_7, segment);
    f.sink.capacity = 2;

    server.onMessage(f.encode(new WireMessage.Request(1, SEG_7)));
    assertThat(f.sink.data()).hasSize(2);

    f.sink.capacity = 3;
    server.pump();
    assertThat(f.sink.data()).hasSize(5);

    f.sink.capacity = Integer.MAX_VALUE;
    server.pump();
    assertThat(reassemble(1, f.sink.data())).isEqualTo(segment);
  }

  @Test
  void moreTransfersAtOnceThanTheBudgetAllows_getBusy_andDuplicateIdsAreBadRequests() {
    f.source.put(SEG_7, bytes(50_000, 6));
    f.source.put(SEG_8, bytes(50_000, 7));
    f.sink.capacity = 0; // nothing leaves, so both transfers stay active

    server.onMessage(f.encode(new WireMessage.Request(1, SEG_7)));
    server.onMessage(f.encode(new WireMessage.Request(1, SEG_8)));
    server.onMessage(f.encode(new WireMessage.Request(2, SEG_8)));
    server.onMessage(f.encode(new WireMessage.Request(3, SEG_8)));

    assertThat(f.sink.errors()).extracting(WireMessage.Error::requestId, WireMessage.Error::code)
        .containsExactly(
            tuple(1L, WireMessage.Error.BAD_REQUEST),
            tuple(3L, WireMessage.Error.BUSY));
    assertThat(server.activeTransfers()).isEqualTo(2);
  }

  @Test
  void cancel_stopsTheTransfer_andFreesTheSlot() {
    f.source.put(SEG_7, bytes(100_000, 8));
    f.sink.capacity = 1;
    server.onMessage(f.encode(new WireMessage.Request(1, SEG_7)));

    server.onMessage(f.encode(new WireMessage.Cancel(1)));
    f.sink.capacity = Integer.MAX_VALUE;
    server.pump();

    assertThat(f.sink.data()).hasSize(1);
    assertThat(server.activeTransfers()).isZero();
    assertThat(f.counters.segmentsServed).isZero();
  }

  @Test
  void unknownTypes_getAnErrorWithRequestIdZero_andServingGoesOn() {
    f.source.put(SEG_7, bytes(100, 9));

    server.onMessage(new byte[] {0x7F, 1, 2});
    server.onMessage(new byte[] {0x42});
    server.onMessage(f.encode(new WireMessage.Request(4, SEG_7)));

    assertThat(f.sink.errors()).extracting(WireMessage.Error::requestId, WireMessage.Error::code)
        .containsExactly(tuple(0L, WireMessage.Error.BAD_REQUEST), tuple(0L, WireMessage.Error.BAD_REQUEST));
    assertThat(reassemble(4, f.sink.data())).hasSize(100);
    assertThat(f.cuts).isEmpty();
  }

  @Test
  void aKnownTypeThatDoesNotDecode_isAViolation_cutAtOnceWithoutAnAnswer() {
    byte[] request = f.encode(new WireMessage.Request(4, SEG_7));
    byte[] truncated = Arrays.copyOf(request, request.length - 1);

    server.onMessage(truncated);

    assertThat(f.sink.sent).isEmpty();
    assertThat(f.cuts).containsExactly("protocol-violation in main");
  }

  @Test
  void anEmptyOrOversizeMessage_isAViolation() {
    SegmentServer other = f.serverWith(ServingBudget.Config.defaults());
    byte[] oversize = new byte[20_000];
    oversize[0] = 0x02; // a REQUEST, far over 16 448 bytes

    server.onMessage(new byte[0]);
    other.onMessage(oversize);

    assertThat(f.sink.sent).isEmpty();
    assertThat(f.cuts).containsExactly("protocol-violation in main", "protocol-violation in main");
  }

  @Test
  void data_toAPeerThatOnlyServes_answersNoRequest_andIsAViolation() {
    server.onMessage(f.encode(new WireMessage.Data(1, 10, 0, new byte[10])));

    assertThat(f.cuts).containsExactly("protocol-violation in main");
  }

  @Test
  void haveCancelAndErrorForUnknownRequests_areIgnored() {
    server.onMessage(f.encode(WireMessage.Have.of("main", List.of(SEG_7))));
    server.onMessage(f.encode(new WireMessage.Cancel(99)));
    server.onMessage(f.encode(new WireMessage.Error(99, WireMessage.Error.NOT_FOUND, "whatever")));

    assertThat(f.sink.sent).isEmpty();
    assertThat(f.cuts).isEmpty();
  }

  @Test
  void have_forAHugeWindow_keepsInitAndNewestThatFitOneMessage() {
    List<SegmentRef> window = new ArrayList<>();
    window.add(INIT);
    for (long n = 0; n < 10_000; n++) {
      window.add(new SegmentRef("main", "0", n));
    }

    WireMessage.Have have = SegmentServer.have("main", window);

    assertThat(f.codec.encode(have).remaining()).isLessThanOrEqualTo(WireCodec.MAX_MESSAGE_BYTES);
    assertThat(have.refs().get(0)).isEqualTo(INIT);
    assertThat(have.refs().get(1).number()).isEqualTo(9_999);
    assertThat(have.refs()).hasSizeGreaterThan(2_000);
  }
}
