package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.IceCandidate;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.StreamHolding;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.media.SuperPeers;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
  void anOpenedLinkThatNeverRequests_losesItsSlotAfterFiveSeconds_toAViewerThatDoes() throws Exception {
    byte[] seg = bytes(1000, 7);
    source.put(new SegmentRef("main", "0", 1), seg);
    superPeer = start(SuperPeerConfig.builder("main").maxPeers(1).allowLoopback(true).token(RealSignaling.SUPER_PEER_TOKEN).build());
    PeerId superPeerId = awaitSuperPeer();
    ScheduledExecutorService idlerThread = Executors.newSingleThreadScheduledExecutor();
    RtcEngine engine = RtcEngine.acquire();
    PeerLink[] link = new PeerLink[1];
    SignalingClient[] idler = new SignalingClient[1];
    try {
      // An idler joins like a viewer, offers to the super-peer, opens its channel and asks for nothing.
      CompletableFuture<Long> openedAt = new CompletableFuture<>();
      CompletableFuture<Long> closedAt = new CompletableFuture<>();
      idlerThread.submit(() -> {
        idler[0] = new SignalingClient(signaling.transport(), SignalMessage.Hello.viewer(), idlerThread,
            new SignalingClient.Handler() {
              @Override
              public void onMessage(SignalMessage m) {
                if (m instanceof SignalMessage.Welcome) {
                  idler[0].send(new SignalMessage.Join("main"));
                } else if (m instanceof SignalMessage.Joined) {
                  link[0] = engine.newLink(superPeerId.value(), PeerLink.Role.OFFERER, IceSettings.loopback(), idlerThread,
                      new PeerLink.Listener() {
                        @Override
                        public void onLocalDescription(String type, String sdp) {
                          idler[0].send(SignalMessage.Signal.sdp(superPeerId, SignalMessage.SignalKind.OFFER, sdp));
                        }

                        @Override
                        public void onLocalCandidate(IceCandidate candidate) {
                          idler[0].send(SignalMessage.Signal.candidate(superPeerId, candidate));
                        }

                        @Override
                        public void onOpen() {
                          openedAt.complete(System.nanoTime());
                        }

                        @Override
                        public void onMessage(byte[] message) {}

                        @Override
                        public void onClosed(String reason) {
                          closedAt.complete(System.nanoTime());
                        }
                      });
                  link[0].startOffer();
                } else if (m instanceof SignalMessage.Signal s && link[0] != null) {
                  if (s.kind() == SignalMessage.SignalKind.ANSWER) {
                    link[0].acceptAnswer(s.sdp());
                  } else if (s.kind() == SignalMessage.SignalKind.CANDIDATE) {
                    link[0].addRemoteCandidate(s.candidate());
                  }
                }
              }

              @Override
              public void onDisconnected(String reason) {}
            }, Duration.ofSeconds(1));
        idler[0].connect();
      }).get(5, TimeUnit.SECONDS);
      long opened = openedAt.get(10, TimeUnit.SECONDS);
      long served = System.nanoTime() + WAIT.toNanos();
      while (superPeer.stats().connectedPeers() != 1 && System.nanoTime() < served) {
        Thread.sleep(10); // the super-peer's end of the channel opens a moment later
      }
      assertThat(superPeer.stats().connectedPeers()).isEqualTo(1);

      long closed = closedAt.get(10, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(closed - opened)).as("its slot held for the first-request timeout, not longer")
          .isBetween(Duration.ofMillis(4900), Duration.ofMillis(7000));

      viewer = new WebRtcViewer(signaling.transport(), true, 1);
      viewer.start().get(10, TimeUnit.SECONDS);
      viewer.join("main").get(10, TimeUnit.SECONDS);
      assertThat(fetch(viewer, new SegmentRef("main", "0", 1), seg)).as("the freed slot serves a viewer").isEqualTo(seg);
      assertThat(superPeer.stats().offersRefused()).isZero();
    } finally {
      idlerThread.submit(() -> {
        if (link[0] != null) {
          link[0].close("test over");
        }
        if (idler[0] != null) {
          idler[0].close();
        }
      }).get(5, TimeUnit.SECONDS);
      idlerThread.shutdownNow();
      engine.close();
    }
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
