package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalMessage.ContributionStatus;
import io.p2pcollab.core.SuperPeerConfig.ContributionCaps;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.core.WireMessage.Ack;
import io.p2pcollab.core.WireMessage.Push;
import io.p2pcollab.core.testing.ManualClock;
import io.p2pcollab.media.internal.ContributedStreams;
import io.p2pcollab.media.internal.SegmentStore;
import io.p2pcollab.media.testing.RecordedContribution;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The super-peer's end of a contributor's uploads: acknowledged only once stored, refused otherwise;
 * a contributor over its stream's caps is cut, and the Coordinator told.
 */
class UploadReceiverTest {

  private static final PeerId ALICE = new PeerId("AAAAAAAAAAAAAAAAAAAAAA");

  private final ManualClock clock = new ManualClock();
  private final SegmentStore store = new SegmentStore();
  private final List<String> ended = new ArrayList<>();
  private final ContributedStreams ingest = new ContributedStreams(store, clock, s -> false, info -> {}, ended::add);
  private final RecordedContribution rec = RecordedContribution.load();
  private final List<Ack> acks = new ArrayList<>();
  private final List<SignalMessage> toCoordinator = new ArrayList<>();
  private final List<String> served = new ArrayList<>();
  private Uploads uploads;
  private UploadReceiver receiver;

  /** The receiver under test, granted "cam.alice" with the default caps unless a test chose others. */
  private UploadReceiver receiver() {
    if (receiver == null) {
      receiver = receiver(ContributionCaps.DEFAULT);
    }
    return receiver;
  }

  private UploadReceiver receiver(ContributionCaps caps) {
    Uploads uploads = new Uploads(ingest, caps, clock, toCoordinator::add, new Uploads.Listener() {
      @Override
      public void started(String stream) {
        served.add(stream);
      }

      @Override
      public void ended(String stream) {
        served.remove(stream);
      }
    });
    uploads.onContribution(new SignalMessage.Contribution("cam.alice", ContributionStatus.GRANTED, ALICE, null, null));
    this.uploads = uploads;
    return new UploadReceiver(new WireSink() {
      @Override
      public boolean send(ByteBuffer message) {
        acks.add((Ack) WireCodec.binary().decode(message));
        return true;
      }

      @Override
      public boolean writable() {
        return true;
      }
    }, ALICE, uploads);
  }

  /** Pushes a segment in 16 KiB chunks, as a contributor does. */
  private void push(long number, byte[] segment) {
    for (int off = 0; off < segment.length; off += WireMessage.MAX_PAYLOAD) {
      receiver().onPush(new Push(number, segment.length, off,
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
    // revoked while segment 2 is on its way
    uploads.onContribution(new SignalMessage.Contribution("cam.alice", ContributionStatus.REVOKED, ALICE, null, null));
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
    receiver().onPush(new Push(1, ContributedStreams.MAX_SEGMENT_BYTES + 1L, 0, new byte[10]));
    receiver().onPush(new Push(1, ContributedStreams.MAX_SEGMENT_BYTES + 1L, 10, new byte[10]));

    assertThat(acks).singleElement().extracting(Ack::code).isEqualTo(WireMessage.Error.TOO_LARGE);
  }

  @Test
  void chunksOutOfOrder_areRefused() {
    receiver().onPush(new Push(1, 100, 50, new byte[10]));

    assertThat(acks).singleElement().extracting(Ack::code).isEqualTo(WireMessage.Error.BAD_REQUEST);
  }

  @Test
  void aContributorWithinItsCaps_isNeverCut() {
    push(SegmentRef.INIT, rec.init);
    for (int i = 0; i < rec.segments.size(); i++) {
      clock.advance(Duration.ofSeconds(1)); // one segment a second, as a camera records
      push(i + 1, rec.segments.get(i));
    }

    assertThat(acks).allMatch(Ack::isStored).hasSize(4);
    assertThat(toCoordinator).isEmpty();
    assertThat(served).containsExactly("cam.alice");
  }

  @Test
  void aContributorOverTheByteCap_isRefused_itsStreamEnds_andTheCoordinatorIsTold() {
    long bytes = rec.init.length + rec.segments.get(0).length;
    // A window's worth of bytes: the init and the first segment, not one byte more.
    receiver = receiver(new ContributionCaps(bytes * 8, 100, Duration.ofSeconds(1)));
    push(SegmentRef.INIT, rec.init);
    push(1, rec.segments.get(0));
    clock.advance(Duration.ofMillis(999));
    push(2, rec.segments.get(1));

    assertThat(acks).extracting(Ack::code).containsExactly(Ack.STORED, Ack.STORED, WireMessage.Error.FORBIDDEN);
    assertThat(acks.get(2).message()).startsWith("too-fast: over " + bytes * 8 + " bit/s");
    assertThat(store.segment(new SegmentRef("cam.alice", "0", 2))).as("nothing of it is stored").isEmpty();
    assertThat(ended).containsExactly("cam.alice");
    assertThat(served).isEmpty();
    assertThat(toCoordinator).containsExactly(
        new SignalMessage.Contribution("cam.alice", ContributionStatus.REVOKED, ALICE, null, "too-fast"));
  }

  @Test
  void aContributorOverTheSegmentCap_isCut_andLaterPushesMeetNoGrant() {
    receiver = receiver(new ContributionCaps(100_000_000, 1, Duration.ofSeconds(2))); // 2 segments in any 2 s
    push(SegmentRef.INIT, rec.init);
    push(1, rec.segments.get(0));
    push(2, rec.segments.get(1)); // the third segment begun within 2 s
    clock.advance(Duration.ofSeconds(10));
    push(3, rec.segments.get(2));

    assertThat(acks).extracting(Ack::code)
        .containsExactly(Ack.STORED, Ack.STORED, WireMessage.Error.FORBIDDEN, WireMessage.Error.FORBIDDEN);
    assertThat(acks.get(2).message()).startsWith("too-fast: over 1 segments/s");
    assertThat(acks.get(3).message()).isEqualTo("no contribution grant");
    assertThat(toCoordinator).hasSize(1);
    assertThat(store.counts("cam.alice")[1]).isEqualTo(1);
  }

  @Test
  void tinySegments_countAsSegments_notOnlyAsBytes() {
    receiver = receiver(ContributionCaps.DEFAULT);
    for (int i = 1; i <= 17; i++) {
      receiver().onPush(new Push(i, 10, 0, new byte[10])); // refused as bad, but pushed all the same
    }

    assertThat(acks).hasSize(17);
    assertThat(acks.get(16).code()).isEqualTo(WireMessage.Error.FORBIDDEN);
    assertThat(acks.get(16).message()).startsWith("too-fast: over 4 segments/s");
    assertThat(toCoordinator).hasSize(1);
  }
}
