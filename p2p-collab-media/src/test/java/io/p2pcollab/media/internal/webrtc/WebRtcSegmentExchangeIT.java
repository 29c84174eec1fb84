package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.media.SuperPeers;
import io.p2pcollab.tracker.CoordinatorConfig;
import io.p2pcollab.tracker.Coordinators;
import io.p2pcollab.tracker.WebSocketSignalingServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two webrtc-java peers — the super-peer and a Java viewer — exchange a segment over the wire
 * protocol, signaled through the real Coordinator behind the real WebSocket server.
 */
class WebRtcSegmentExchangeIT {

  private final InMemorySegmentSource source = new InMemorySegmentSource();
  private Coordinator coordinator;
  private WebSocketSignalingServer signaling;
  private SuperPeer superPeer;
  private WebRtcViewer viewer;

  @BeforeEach
  void start() throws Exception {
    LoopbackOnly.assumeLoopbackOnlyNetwork();
    coordinator = Coordinators.create(CoordinatorConfig.builder().superPeerToken("secret").build());
    coordinator.addStream(StreamInfo.standard("main"));
    coordinator.start();
    signaling = WebSocketSignalingServer.create(coordinator, new InetSocketAddress("127.0.0.1", 0));
    signaling.start();
  }

  @AfterEach
  void stop() {
    if (viewer != null) {
      viewer.close();
    }
    if (superPeer != null) {
      superPeer.close();
    }
    if (signaling != null) {
      signaling.close();
    }
    if (coordinator != null) {
      coordinator.close();
    }
  }

  @Test
  void aJavaViewerGetsASegmentFromTheSuperPeer_throughRealWebSocketSignaling() throws Exception {
    byte[] segment = new byte[1_500_000];
    new Random(11).nextBytes(segment);
    SegmentRef ref = new SegmentRef("main", "0", 1);
    source.put(ref, segment);

    long t0 = System.nanoTime();
    superPeer = SuperPeers.create(
        SuperPeerConfig.builder("main").allowLoopback(true).token("secret").build(),
        source,
        SuperPeers.webSocketSignaling(signaling.uri()));
    PeerId superPeerId = superPeer.start().get(10, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!coordinator.tracker().sources().getOrDefault("main", List.of()).contains(superPeerId)
        && System.nanoTime() < deadline) {
      Thread.sleep(20); // the super-peer's first state report is on its way over the socket
    }

    viewer = new WebRtcViewer(SuperPeers.webSocketSignaling(signaling.uri()), true, 2);
    viewer.start().get(10, TimeUnit.SECONDS);
    SignalMessage.Joined joined = viewer.join("main").get(10, TimeUnit.SECONDS);
    assertThat(joined.peers()).containsExactly(new PeerEntry(superPeerId, true));

    byte[] got = viewer.fetch(ref, Hashes.sha256Hex(segment), Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
    double ms = (System.nanoTime() - t0) / 1e6;

    assertThat(got).isEqualTo(segment);
    assertThat(superPeer.stats().bytesServed()).isEqualTo(segment.length);
    assertThat(coordinator.registeredPeers()).isEqualTo(2);
    System.out.printf(
        "WebRtcSegmentExchangeIT: start, register, join, ICE over the Coordinator, 1.5 MB segment verified in %.0f ms%n", ms);
  }
}
