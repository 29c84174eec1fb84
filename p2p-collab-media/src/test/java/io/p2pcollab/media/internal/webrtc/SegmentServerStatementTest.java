package io.p2pcollab.media.internal.webrtc;

import static io.p2pcollab.media.internal.webrtc.ServingFixture.bytes;
import static io.p2pcollab.media.internal.webrtc.ServingFixture.reassemble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentSigner;
import io.p2pcollab.core.SegmentSource;
import io.p2pcollab.core.ServingBudget;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.core.testing.WireFields;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A signed stream's segments are served with their statements (docs/protocol.md §2.7): one
 * STATEMENT right before the first DATA of each answer, queued like the chunks; none for an
 * unsigned stream; and a STATEMENT sent to a peer that only serves answers nothing it asked.
 */
class SegmentServerStatementTest {

  private static final SegmentRef SEG_7 = new SegmentRef("main", "0", 7);
  private static final SegmentRef SEG_8 = new SegmentRef("main", "0", 8);
  private static final SegmentSigner KEY = SegmentSigner.fromSeed(new byte[32]);

  private final ServingFixture f = new ServingFixture(KEY);
  private final SegmentServer server = f.serverWith(new ServingBudget.Config(2, 16, 8, 32));

  @Test
  void aSignedSegment_isAnsweredWithItsStatement_thenItsChunks() {
    byte[] segment = bytes(40_000, 1);
    f.source.put(SEG_7, segment);

    server.onMessage(f.encode(new WireMessage.Request(5, SEG_7)));

    assertThat(f.sink.sent).extracting(WireFields::typeOf, SegmentServerStatementTest::requestId)
        .containsExactly(tuple("STATEMENT", 5L), tuple("DATA", 5L), tuple("DATA", 5L), tuple("DATA", 5L));
    SegmentSignature sent = f.sink.statements().get(0).signature();
    assertThat(sent).isEqualTo(KEY.sign(SEG_7, segment));
    assertThat(KEY.verifier().verify(SEG_7, sent, reassemble(5, f.sink.data()))).isTrue();
  }

  @Test
  void theStatement_waitsForTheChannelLikeAChunk_andIsSentOnce() {
    f.source.put(SEG_7, bytes(40_000, 2));
    f.sink.capacity = 0;

    server.onMessage(f.encode(new WireMessage.Request(1, SEG_7)));
    assertThat(f.sink.sent).as("nothing while the channel is full").isEmpty();

    f.sink.capacity = 1;
    server.pump();
    assertThat(f.sink.sent).extracting(WireFields::typeOf).containsExactly("STATEMENT");

    f.sink.capacity = Integer.MAX_VALUE;
    server.pump();
    assertThat(f.sink.statements()).hasSize(1);
    assertThat(f.sink.data()).hasSize(3);
    assertThat(f.sink.sent.get(1)).isInstanceOf(WireMessage.Data.class);
  }

  @Test
  void eachAnswer_hasItsOwnStatement_beforeItsOwnFirstChunk() {
    f.source.put(SEG_7, bytes(20_000, 3));
    f.source.put(SEG_8, bytes(20_000, 4));

    server.onMessage(f.encode(new WireMessage.Request(1, SEG_7)));
    server.onMessage(f.encode(new WireMessage.Request(2, SEG_8)));

    assertThat(f.sink.sent).extracting(WireFields::typeOf, SegmentServerStatementTest::requestId).containsExactly(
        tuple("STATEMENT", 1L), tuple("DATA", 1L), tuple("DATA", 1L),
        tuple("STATEMENT", 2L), tuple("DATA", 2L), tuple("DATA", 2L));
    assertThat(f.sink.statements()).extracting(WireMessage.Statement::signature)
        .containsExactly(f.source.statement(SEG_7).orElseThrow(), f.source.statement(SEG_8).orElseThrow());
  }

  @Test
  void anUnsignedSegment_isAnsweredWithChunksOnly() {
    ServingFixture unsigned = new ServingFixture();
    unsigned.source.put(SEG_7, bytes(20_000, 5));

    unsigned.serverWith(ServingBudget.Config.defaults()).onMessage(unsigned.encode(new WireMessage.Request(1, SEG_7)));

    assertThat(unsigned.sink.sent).extracting(WireFields::typeOf).containsExactly("DATA", "DATA");
  }

  @Test
  void aStatement_toAPeerThatOnlyServes_answersNoRequest_andIsAViolation() {
    f.source.put(SEG_7, bytes(100, 6));

    server.onMessage(f.encode(new WireMessage.Statement(1, f.source.statement(SEG_7).orElseThrow())));

    assertThat(f.cuts).containsExactly("protocol-violation in main");
    assertThat(f.sink.sent).isEmpty();
  }

  /**
   * The stream restarts (a fresh key, numbers reused) between the reads of a segment and its
   * statement: an old statement must not go out with new bytes, which the receiver would take for
   * a lie. It is answered NOT_FOUND; the requester asks elsewhere.
   */
  @Test
  void aStreamRestartingWhileASegmentIsRead_isNotFound_neverAMismatchedStatement() {
    byte[] before = bytes(1_000, 7);
    SegmentSigner oldKey = SegmentSigner.fromSeed(new byte[32]);
    SegmentSigner newKey = SegmentSigner.generate();
    Iterator<SegmentSignature> reads = List.of(oldKey.sign(SEG_7, before), newKey.sign(SEG_7, before)).iterator();
    ServingFixture restarting = new ServingFixture();
    SegmentSource source = new SegmentSource() {
      @Override
      public Optional<byte[]> segment(SegmentRef ref) {
        return Optional.of(before);
      }

      @Override
      public Optional<SegmentSignature> statement(SegmentRef ref) {
        return reads.hasNext() ? Optional.of(reads.next()) : Optional.empty();
      }

      @Override
      public List<SegmentRef> window(String stream) {
        return List.of(SEG_7);
      }

      @Override
      public AutoCloseable onSegment(Consumer<SegmentRef> listener) {
        return () -> {};
      }
    };
    SegmentServer.Context context = new SegmentServer.Context(source, List.of("main"), restarting.counters,
        restarting.clock, ServingFixture.DRAIN_TIMEOUT);
    SegmentServer s = new SegmentServer(context, restarting.sink, new ServingBudget(ServingBudget.Config.defaults()),
        (reason, stream) -> restarting.cuts.add(reason.wireName()));

    s.onMessage(restarting.encode(new WireMessage.Request(3, SEG_7)));

    assertThat(restarting.sink.errors()).extracting(WireMessage.Error::requestId, WireMessage.Error::code)
        .containsExactly(tuple(3L, WireMessage.Error.NOT_FOUND));
    assertThat(restarting.sink.statements()).isEmpty();
    assertThat(restarting.sink.data()).isEmpty();
    assertThat(restarting.cuts).isEmpty();
  }

  /** A message's request ID; -1 for a message without one. */
  private static long requestId(WireMessage m) {
    return WireFields.field(m, "requestId") instanceof Number n ? n.longValue() : -1;
  }
}
