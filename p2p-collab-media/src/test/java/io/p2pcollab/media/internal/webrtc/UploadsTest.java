package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.ContributionIngest;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalMessage.ContributionStatus;
import io.p2pcollab.core.SuperPeerConfig.ContributionCaps;
import io.p2pcollab.core.testing.ManualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contributions a super-peer ingests follow what the Coordinator says, and end once. */
class UploadsTest {

  private static final PeerId BOB = new PeerId("BBBBBBBBBBBBBBBBBBBBBB");

  private final List<String> events = new ArrayList<>();
  private final List<SignalMessage> toCoordinator = new ArrayList<>();
  private final ContributionIngest ingest = (stream, contributor) -> new ContributionIngest.Contribution() {
    @Override
    public String stream() {
      return stream;
    }

    @Override
    public void init(byte[] segment) {}

    @Override
    public void segment(long number, byte[] bytes) {}

    @Override
    public void end() {
      events.add("end " + stream);
    }
  };
  private final Uploads uploads = new Uploads(ingest, ContributionCaps.DEFAULT, new ManualClock(), toCoordinator::add,
      new Uploads.Listener() {
        @Override
        public void started(String stream) {
          events.add("serve " + stream);
        }

        @Override
        public void ended(String stream) {
          events.add("stop serving " + stream);
        }
      });

  private static SignalMessage.Contribution says(String stream, ContributionStatus status) {
    return new SignalMessage.Contribution(stream, status, BOB, null, null);
  }

  @Test
  void aGrant_opensAndServesTheStream_andItsEnd_endsIt() {
    uploads.onContribution(says("cam.bob", ContributionStatus.GRANTED));
    assertThat(uploads.contributes(BOB)).isTrue();

    uploads.onContribution(says("cam.bob", ContributionStatus.ENDED));

    assertThat(uploads.contributes(BOB)).isFalse();
    assertThat(events).containsExactly("serve cam.bob", "end cam.bob", "stop serving cam.bob");
    assertThat(toCoordinator).as("the Coordinator ended it: nothing to tell").isEmpty();
  }

  @Test
  void aRevocationOfAnotherStream_leavesTheContributionAlone() {
    uploads.onContribution(says("cam.bob", ContributionStatus.GRANTED));

    uploads.onContribution(says("cam.other", ContributionStatus.REVOKED));

    assertThat(uploads.contributes(BOB)).isTrue();
  }

  @Test
  void aCut_endsTheStreamOnce_andTellsTheCoordinatorOnce() {
    uploads.onContribution(says("cam.bob", ContributionStatus.GRANTED));
    Uploads.Upload upload = uploads.of(BOB);

    uploads.cut(upload, "over 4 segments/s");
    uploads.cut(upload, "over 4 segments/s");
    uploads.onContribution(says("cam.bob", ContributionStatus.REVOKED)); // the Coordinator's answer

    assertThat(events).containsExactly("serve cam.bob", "end cam.bob", "stop serving cam.bob");
    assertThat(toCoordinator).containsExactly(
        new SignalMessage.Contribution("cam.bob", ContributionStatus.REVOKED, BOB, null, "too-fast"));
  }

  @Test
  void withoutAnIngest_grantsAreIgnored() {
    Uploads none = new Uploads(null, ContributionCaps.DEFAULT, new ManualClock(), toCoordinator::add,
        new Uploads.Listener() {
          @Override
          public void started(String stream) {
            events.add(stream);
          }

          @Override
          public void ended(String stream) {}
        });

    none.onContribution(says("cam.bob", ContributionStatus.GRANTED));

    assertThat(none.contributes(BOB)).isFalse();
    assertThat(events).isEmpty();
  }
}
