package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.StreamHolding;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.media.SuperPeers;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The super-peer and Java viewers over real webrtc-java, signaled through the real Coordinator and WebSocket server. */
class SuperPeerServingIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private RealSignaling signaling;
  private final InMemorySegmentSource source = new InMemorySegmentSource();
  private SuperPeer superPeer;
  private WebRtcViewer viewer;
  private WebRtcViewer second;

  @BeforeEach
  void setUp() throws Exception {
    LoopbackOnly.assumeLoopbackOnlyNetwork();
    signaling = new RealSignaling();
  }

  @AfterEach
  void tearDown() {
    if (viewer != null) {
      viewer.close();
    }
    if (second != null) {
      second.close();
    }
    if (superPeer != null) {
      superPeer.close();
    }
    if (signaling != null) {
      signaling.close();
    }
  }

  @Test
  void viewer_fetchesSegments_andNewOnesAreAnnounced() throws Exception {
    byte[] init = bytes(900, 1);
    byte[] seg1 = bytes(300_000, 2);
    source.put(SegmentRef.init("main", "0"), init);
    source.put(new SegmentRef("main", "0", 1), seg1);
    superPeer = start(SuperPeerConfig.builder("main").allowLoopback(true).token(RealSignaling.SUPER_PEER_TOKEN).build());

    viewer = new WebRtcViewer(signaling.transport(), true, 2);
    viewer.start().get(10, TimeUnit.SECONDS);
    viewer.join("main").get(10, TimeUnit.SECONDS);

    assertThat(fetch(viewer, SegmentRef.init("main", "0"), init)).isEqualTo(init);
    assertThat(fetch(viewer, new SegmentRef("main", "0", 1), seg1)).isEqualTo(seg1);

    byte[] seg2 = bytes(50_000, 3);
    source.put(new SegmentRef("main", "0", 2), seg2); // announced by a fresh HAVE
    assertThat(fetch(viewer, new SegmentRef("main", "0", 2), seg2)).isEqualTo(seg2);

    SuperPeer.Stats stats = superPeer.stats();
    assertThat(stats.connectedPeers()).isEqualTo(1);
    assertThat(stats.segmentsServed()).isEqualTo(3);
    assertThat(stats.bytesServed()).isEqualTo(init.length + seg1.length + seg2.length);
    SignalMessage.State state = latestState();
    assertThat(state.state().streams().get(0)).isEqualTo(new StreamHolding("main", 2, 2));
    assertThat(state.state().uploadSlots()).isEqualTo(3);
  }

  @Test
  void bigSegment_arrivesIntact_andTimingsArePrinted() throws Exception {
    byte[] big = bytes(8 << 20, 5);
    SegmentRef ref = new SegmentRef("main", "0", 1);
    source.put(ref, big);
    superPeer = start(SuperPeerConfig.builder("main").allowLoopback(true).token(RealSignaling.SUPER_PEER_TOKEN).build());

    long t0 = System.nanoTime();
    viewer = new WebRtcViewer(signaling.transport(), true, 1);
    viewer.start().get(10, TimeUnit.SECONDS);
    viewer.join("main").get(10, TimeUnit.SECONDS);
    byte[] first = fetch(viewer, ref, big);
    double firstMs = (System.nanoTime() - t0) / 1e6;
    long t1 = System.nanoTime();
    byte[] again = fetch(viewer, ref, big);
    double secs = (System.nanoTime() - t1) / 1e9;

    assertThat(first).isEqualTo(big);
    assertThat(again).isEqualTo(big);
    System.out.printf(
        "SuperPeerServingIT: register+join+connect+first 8 MiB segment in %.0f ms; "
            + "next 8 MiB in %.0f ms = %.1f MB/s (SHA-256 checked)%n",
        firstMs, secs * 1000, big.length / secs / 1e6);
  }

  @Test
  void offersBeyondMaxPeers_areRefused() throws Exception {
    byte[] seg = bytes(1000, 4);
    source.put(new SegmentRef("main", "0", 1), seg);
    superPeer = start(SuperPeerConfig.builder("main").maxPeers(1).allowLoopback(true).token(RealSignaling.SUPER_PEER_TOKEN).build());

    viewer = new WebRtcViewer(signaling.transport(), true, 1);
    viewer.start().get(10, TimeUnit.SECONDS);
    viewer.join("main").get(10, TimeUnit.SECONDS);
    assertThat(fetch(viewer, new SegmentRef("main", "0", 1), seg)).isEqualTo(seg);

    second = new WebRtcViewer(signaling.transport(), true, 1);
    second.start().get(10, TimeUnit.SECONDS);
    second.join("main").get(10, TimeUnit.SECONDS);
    assertThatThrownBy(
            () ->
                second
                    .fetch(new SegmentRef("main", "0", 1), "0".repeat(64), Duration.ofSeconds(2))
                    .get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(WebRtcViewer.FetchException.class);
    assertThat(superPeer.stats().offersRefused()).isEqualTo(1);
    assertThat(superPeer.stats().connectedPeers()).isEqualTo(1);
  }

  @Test
  void coordinatorRestart_reRegisters_andOpenChannelsKeepServing() throws Exception {
    byte[] seg = bytes(20_000, 6);
    SegmentRef ref = new SegmentRef("main", "0", 1);
    source.put(ref, seg);
    superPeer = start(SuperPeerConfig.builder("main").allowLoopback(true).token(RealSignaling.SUPER_PEER_TOKEN).build());
    PeerId first = awaitSuperPeer();
    viewer = new WebRtcViewer(signaling.transport(), true, 1);
    viewer.start().get(10, TimeUnit.SECONDS);
    viewer.join("main").get(10, TimeUnit.SECONDS);
    assertThat(fetch(viewer, ref, seg)).isEqualTo(seg);

    signaling.restartCoordinator();

    long deadline = System.nanoTime() + WAIT.toNanos();
    while ((signaling.superPeers().isEmpty() || signaling.superPeers().contains(first))
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(signaling.superPeers()).hasSize(1).doesNotContain(first);
    assertThat(fetch(viewer, ref, seg)).isEqualTo(seg); // the data channel outlives signaling
  }

  @Test
  void lifecycle_isNewStartedClosed_andCloseIsIdempotent() throws Exception {
    superPeer = SuperPeers.create(SuperPeerConfig.builder("main").allowLoopback(true).token(RealSignaling.SUPER_PEER_TOKEN).build(), source, signaling.transport());
    assertThat(superPeer.state()).isEqualTo(SuperPeer.State.NEW);
    PeerId id = superPeer.start().get(10, TimeUnit.SECONDS);
    assertThat(id).isNotNull();
    assertThat(superPeer.state()).isEqualTo(SuperPeer.State.STARTED);
    assertThatThrownBy(superPeer::start).isInstanceOf(IllegalStateException.class);
    superPeer.close();
    superPeer.close();
    assertThat(superPeer.state()).isEqualTo(SuperPeer.State.CLOSED);
  }

  /** The state the super-peer last reported to the Tracker, once it reflects the segment added last. */
  private SignalMessage.State latestState() throws InterruptedException {
    PeerId id = awaitSuperPeer();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      var state = signaling.coordinator.tracker().stateOf(id);
      if (state.isPresent() && state.get().streams().get(0).newest() == 2) {
        return new SignalMessage.State(state.get());
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no state with newest 2 from " + id);
  }

  /** The super-peer's ID, once its first state report has reached the Tracker. */
  private PeerId awaitSuperPeer() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (signaling.superPeers().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return signaling.superPeers().get(0);
  }

  private SuperPeer start(SuperPeerConfig config) throws Exception {
    SuperPeer sp = SuperPeers.create(config, source, signaling.transport());
    sp.start().get(10, TimeUnit.SECONDS);
    awaitSuperPeer(); // joins list it only once its state has reached the Tracker
    return sp;
  }

  private static byte[] fetch(WebRtcViewer v, SegmentRef ref, byte[] expected) throws Exception {
    return v.fetch(ref, Hashes.sha256Hex(expected), WAIT).get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
