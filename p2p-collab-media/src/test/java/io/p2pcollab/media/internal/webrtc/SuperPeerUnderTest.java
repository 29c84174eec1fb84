package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.core.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The super-peer's serving side under a conformance scenario: {@link ServedPeers} (offers,
 * blocking, reports) with its {@link ServedPeer}s and {@link SegmentServer}s, serving stream {@code
 * main} — signed with the runner's {@link ConformanceTest#STREAM_KEY}, so every answer starts with
 * a STATEMENT — with the default {@link SuperPeerConfig} from memory, swept every 250 ms as {@link
 * WebRtcSuperPeer} does (idle links, undrained channels). The super-peer never requests: it
 * fetches nothing.
 */
final class SuperPeerUnderTest implements PeerUnderTest {

  private static final Duration SWEEP = Duration.ofMillis(250);

  private final ManualTimers timers;
  private final List<SignalMessage> toCoordinator = new ArrayList<>();
  private final ServedPeers peers;

  /** @param holds what it serves */
  SuperPeerUnderTest(ManualClock clock, ManualTimers timers, Map<SegmentRef, byte[]> holds) {
    this.timers = timers;
    InMemorySegmentSource source = new InMemorySegmentSource(ConformanceTest.STREAM_KEY);
    holds.forEach(source::put);
    SuperPeerConfig config = SuperPeerConfig.builder("main").build();
    Uploads uploads = new Uploads(null, config.contributionCaps(), clock, toCoordinator::add, new Uploads.Listener() {
      @Override
      public void started(String stream) {}

      @Override
      public void ended(String stream) {}
    });
    peers = new ServedPeers(config, source, Set.copyOf(config.streams()), uploads, timers, clock, new ServedPeers.Owner() {
      @Override
      public void signal(SignalMessage message) {
        toCoordinator.add(message);
      }

      @Override
      public void slotsChanged() {}

      @Override
      public void statsChanged() {}
    });
    sweep();
  }

  private void sweep() {
    timers.after(SWEEP, () -> {
      peers.sweep();
      sweep();
    });
  }

  /** The tester offers, as the Coordinator relays it. */
  @Override
  public void connect(ConformanceTester tester) {
    peers.offer(tester.id, "v=0 (the tester's offer)", tester.links());
  }

  @Override
  public void offerAgain(ConformanceTester tester) {
    tester.link = null;
    connect(tester);
  }

  @Override
  public void load(SegmentRef ref, byte[] bytes, Duration deadline, boolean signed) {
    throw new UnsupportedOperationException("the super-peer never requests");
  }

  @Override
  public List<String> reported(PeerId peer) {
    return PeerUnderTest.reasons(toCoordinator, peer);
  }

  @Override
  public String toString() {
    return "super-peer";
  }
}
