package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.ContributionIngest;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.core.WireMessage.Ack;
import io.p2pcollab.core.WireMessage.Push;
import io.p2pcollab.media.internal.ContributedStreams;
import io.p2pcollab.media.internal.SegmentStore;
import io.p2pcollab.media.testing.RecordedContribution;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The super-peer's end of a contributor's uploads: acknowledged only once stored, refused otherwise. */
class UploadReceiverTest {

  private final SegmentStore store = new SegmentStore();
  private final ContributedStreams ingest =
      new ContributedStreams(store, Clock.systemUTC(), s -> false, info -> {}, s -> {});
  private final RecordedContribution rec = RecordedContribution.load();
  private final List<Ack> acks = new ArrayList<>();
  private ContributionIngest.Contribution grant = ingest.open("cam.alice", new PeerId("AAAAAAAAAAAAAAAAAAAAAA"));
  private final UploadReceiver receiver = new UploadReceiver(new WireSink() {
    @Override
    public boolean send(ByteBuffer message) {
      acks.add((Ack) WireCodec.binary().decode(message));
      return true;
    }

    @Override
    public boolean writable() {
      return true;
    }
  }, () -> grant);

  /** Pushes a segment in 16 KiB chunks, as a contributor does. */
  private void push(long number, byte[] segment) {
    for (int off = 0; off < segment.length; off += WireMessage.MAX_PAYLOAD) {
      receiver.onPush(new Push(number, segment.length, off,
          Arrays.copyOfRange(segment, off, Math.min(segment.length, off + WireMessage.MAX_PAYLOAD))));
    }
  }

  @Test
  void eachSegment_isAcknowledged_onceStored() {
    push(SegmentRef.INIT, rec.init);
    for (int i = 0; i < rec.segments.size(); i++) {
      push(i + 1, rec.segments.get(i));
    }

    assertThat(acks).extracting(Ack::number, Ack::code)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(SegmentRef.INIT, Ack.STORED),
            org.assertj.core.groups.Tuple.tuple(1L, Ack.STORED),
            org.assertj.core.groups.Tuple.tuple(2L, Ack.STORED),
            org.assertj.core.groups.Tuple.tuple(3L, Ack.STORED));
    assertThat(store.counts("cam.alice")[1]).isEqualTo(3);
  }

  @Test
  void withoutAGrant_nothingIsStored() {
    push(SegmentRef.INIT, rec.init);
    push(1, rec.segments.get(0));
    grant = null; // revoked while segment 2 is on its way
    push(2, rec.segments.get(1));

    assertThat(acks.get(2).code()).isEqualTo(WireMessage.Error.FORBIDDEN);
    assertThat(acks).hasSize(3);
    assertThat(store.segment(new SegmentRef("cam.alice", "0", 2))).isEmpty();
  }

  @Test
  void aBadSegment_isRefusedWithItsReason_andTheNextGoodOneIsStored() {
    push(SegmentRef.INIT, rec.init);
    byte[] garbage = new byte[40_000];
    push(1, garbage);
    push(1, rec.segments.get(0));

    assertThat(acks.get(1).code()).isEqualTo(WireMessage.Error.BAD_REQUEST);
    assertThat(acks.get(1).message()).startsWith("bad segment");
    assertThat(acks.get(2).isStored()).isTrue();
  }

  @Test
  void anOversizeSegment_isRefusedAtItsFirstChunk() {
    receiver.onPush(new Push(1, ContributedStreams.MAX_SEGMENT_BYTES + 1L, 0, new byte[10]));
    receiver.onPush(new Push(1, ContributedStreams.MAX_SEGMENT_BYTES + 1L, 10, new byte[10]));

    assertThat(acks).singleElement().extracting(Ack::code).isEqualTo(WireMessage.Error.TOO_LARGE);
  }

  @Test
  void chunksOutOfOrder_areRefused() {
    receiver.onPush(new Push(1, 100, 50, new byte[10]));

    assertThat(acks).singleElement().extracting(Ack::code).isEqualTo(WireMessage.Error.BAD_REQUEST);
  }
}
