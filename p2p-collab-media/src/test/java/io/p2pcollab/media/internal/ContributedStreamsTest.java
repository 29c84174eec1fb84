package io.p2pcollab.media.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.ContributionIngest.Contribution;
import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentVerifier;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.core.testing.ManualClock;
import io.p2pcollab.media.testing.RecordedContribution;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Media Server ingesting a contributed stream, fed the segments a real browser recorded. */
class ContributedStreamsTest {

  private static final PeerId ALICE = new PeerId("AAAAAAAAAAAAAAAAAAAAAA");

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-24T10:00:00Z"));
  private final SegmentStore store = new SegmentStore();
  private final List<StreamInfo> started = new ArrayList<>();
  private final List<String> ended = new ArrayList<>();
  private final ContributedStreams ingest =
      new ContributedStreams(store, clock, "main"::equals, started::add, ended::add);
  private final RecordedContribution rec = RecordedContribution.load();

  private String mpd(String stream) {
    return new String(store.manifest(stream).orElseThrow(), StandardCharsets.UTF_8);
  }

  @Test
  void segments_areStoredSignedAndListed_andTheStreamIsAnnouncedOnceItCanBePlayed() {
    Contribution c = ingest.open("cam.alice", ALICE);
    c.init(rec.init);
    assertThat(started).isEmpty();
    assertThat(store.manifest("cam.alice")).isEmpty();

    for (int i = 0; i < rec.segments.size(); i++) {
      c.segment(i + 1, rec.segments.get(i));
      clock.advance(Duration.ofSeconds(1));
    }

    assertThat(started).singleElement().satisfies(info -> {
      assertThat(info.id()).isEqualTo("cam.alice");
      assertThat(info.isSigned()).isTrue();
    });
    String mpd = mpd("cam.alice");
    assertThat(mpd).contains("type=\"dynamic\"", "startNumber=\"1\"", "codecs=\"avc1.", ",opus\"", "width=\"320\"")
        // media time 0 is presentation time 100 s (clear of 0, where players' start-up seeks misbehave),
        // and the third segment, ending 2.6 s in, arrived 2 s after the first at 10:00:00
        .contains("<Period id=\"0\" start=\"PT100S\">")
        .contains("availabilityStartTime=\"2026-11-24T09:58:1");
    assertThat(Mpd.newestPerRepresentation(mpd)).containsEntry("0", 3L);
    SegmentVerifier verifier = SegmentVerifier.forPublicKey(started.get(0).publicKey());
    var sigs = verifier.verifyAll("cam.alice", new String(store.signaturesJson("cam.alice").orElseThrow(), StandardCharsets.UTF_8));
    assertThat(sigs.trusted().keySet()).extracting(SegmentRef::fileName)
        .containsExactlyInAnyOrder("init-stream0.m4s", "chunk-stream0-00001.m4s", "chunk-stream0-00002.m4s", "chunk-stream0-00003.m4s");
    assertThat(sigs.rejected()).isEmpty();
    assertThat(store.segment(new SegmentRef("cam.alice", "0", 2))).contains(rec.segments.get(1));
  }

  @Test
  void aResentSegment_isAcceptedAgain_butNotWithOtherBytes() {
    Contribution c = ingest.open("cam.alice", ALICE);
    c.init(rec.init);
    c.segment(1, rec.segments.get(0));
    c.segment(1, rec.segments.get(0));
    c.init(rec.init);

    assertThatThrownBy(() -> c.segment(1, rec.segments.get(1))).isInstanceOf(P2pCollabException.class);
    assertThat(Mpd.newestPerRepresentation(mpd("cam.alice"))).containsEntry("0", 1L);
  }

  @Test
  void outOfOrder_beforeInit_notAKeyFrame_orGarbage_areRefused() {
    Contribution c = ingest.open("cam.alice", ALICE);
    assertThatThrownBy(() -> c.segment(1, rec.segments.get(0))).hasMessageContaining("before the initialization");
    c.init(rec.init);
    assertThatThrownBy(() -> c.segment(2, rec.segments.get(1))).hasMessageContaining("out of order");
    assertThatThrownBy(() -> c.segment(1, "not an mp4 at all".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE));
    assertThatThrownBy(() -> c.init(rec.segments.get(0))).isInstanceOf(P2pCollabException.class);

    c.segment(1, rec.segments.get(0));
    // segment 3's time is two seconds on: allowed (a gap), but segment 1 again as 2 goes back in time
    assertThatThrownBy(() -> c.segment(2, rec.segments.get(0))).hasMessageContaining("back in time");
    assertThat(store.segment(new SegmentRef("cam.alice", "0", 2))).isEmpty();
  }

  @Test
  void ending_makesTheMpdStatic_andTellsTheListeners_thenTheSegmentsGoAfterTheirLinger() {
    Contribution c = ingest.open("cam.alice", ALICE);
    c.init(rec.init);
    c.segment(1, rec.segments.get(0));
    c.segment(2, rec.segments.get(1));

    c.end();
    c.end();

    assertThat(ended).containsExactly("cam.alice");
    assertThat(mpd("cam.alice")).contains("type=\"static\"", "mediaPresentationDuration=\"PT102.0").doesNotContain("minimumUpdatePeriod");
    assertThatThrownBy(() -> c.segment(3, rec.segments.get(2))).hasMessageContaining("ended");
    assertThat(ingest.live()).isEmpty();

    ingest.sweep();
    assertThat(store.manifest("cam.alice")).isPresent();
    clock.advance(ContributedStreams.LINGER.plusSeconds(1));
    ingest.sweep();
    assertThat(store.manifest("cam.alice")).isEmpty();
  }

  @Test
  void aStreamIdInUse_cannotBeContributed() {
    ingest.open("cam.alice", ALICE);

    assertThatThrownBy(() -> ingest.open("cam.alice", new PeerId("BBBBBBBBBBBBBBBBBBBBBB")))
        .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STREAM_TAKEN));
    assertThatThrownBy(() -> ingest.open("main", ALICE))
        .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STREAM_TAKEN));
  }

  @Test
  void anEndedStream_canBeContributedAgain_underANewKey() {
    Contribution first = ingest.open("cam.alice", ALICE);
    first.init(rec.init);
    first.segment(1, rec.segments.get(0));
    first.end();

    Contribution again = ingest.open("cam.alice", ALICE);
    again.init(rec.init);
    again.segment(1, rec.segments.get(0));

    assertThat(started).hasSize(2);
    assertThat(started.get(1).publicKey()).isNotEqualTo(started.get(0).publicKey());
    assertThat(mpd("cam.alice")).contains("type=\"dynamic\"");
  }
}
