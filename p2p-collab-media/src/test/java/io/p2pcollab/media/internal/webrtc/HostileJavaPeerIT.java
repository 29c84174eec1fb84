package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentSigner;
import io.p2pcollab.core.SegmentVerifier;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.media.SuperPeers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 3's acceptance with Java peers: a hostile webrtc-java peer serves corrupted segments, or
 * forged ones (other bytes, another length, not signed), next to an honest one; the Java viewer
 * takes only bytes that match the Media Server's signed statements, cuts the hostile peer at its
 * first bad segment, reports it (banned by the Tracker), and gets every segment from the honest one.
 * Everything is real: webrtc-java on loopback, the Coordinator behind the WebSocket server.
 */
class HostileJavaPeerIT {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private RealSignaling signaling;
  private SuperPeer honest;
  private SuperPeer hostile;
  private WebRtcViewer viewer;
  private final InMemorySegmentSource genuine = new InMemorySegmentSource();
  private final InMemorySegmentSource tampered = new InMemorySegmentSource();
  private final Map<SegmentRef, byte[]> segments = new LinkedHashMap<>();
  private Map<SegmentRef, SegmentSignature> signed;

  @BeforeEach
  void setUp() throws Exception {
    LoopbackOnly.assumeLoopbackOnlyNetwork();
    signaling = new RealSignaling(1); // one report bans: a single viewer's word is enough here
    Random random = new Random(3);
    for (int n = 1; n <= 4; n++) {
      byte[] b = new byte[40_000 + 20_000 * n];
      random.nextBytes(b);
      segments.put(new SegmentRef("main", "0", n), b);
    }
    // What the Media Server publishes in signatures.json, as the viewer reads it.
    SegmentSigner signer = SegmentSigner.generate();
    Map<SegmentRef, SegmentSignature> published = new LinkedHashMap<>();
    segments.forEach((ref, b) -> published.put(ref, signer.sign(ref, b)));
    signed = SegmentVerifier.forPublicKey(signer.publicKey()).verifyAll("main", SegmentSignature.toJson(published)).trusted();
    assertThat(signed).hasSize(4);
  }

  @AfterEach
  void tearDown() {
    for (AutoCloseable c : new AutoCloseable[] {viewer, honest, hostile, signaling}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // best effort
        }
      }
    }
  }

  @Test
  void corruptedSegments_areNeverAccepted_andTheirSenderIsCutReportedAndBanned() throws Exception {
    PeerId bad = runAgainst(b -> {
      byte[] flipped = b.clone();
      for (int i = 0; i < flipped.length; i += 997) {
        flipped[i] ^= 0x5a;
      }
      return flipped; // same length, wrong bytes
    });
    assertThat(bad).isNotNull();
  }

  @Test
  void forgedSegments_withAnotherLengthAndNoSignature_areRefusedAtTheirFirstChunk() throws Exception {
    PeerId bad = runAgainst(b -> {
      byte[] forged = new byte[b.length + 1000];
      new Random(9).nextBytes(forged); // its own SHA-256 would look fine; no signature vouches for it
      return forged;
    });
    assertThat(bad).isNotNull();
  }

  /** The hostile peer serves {@code tamper} of every segment; returns its ID once it is cut. */
  private PeerId runAgainst(UnaryOperator<byte[]> tamper) throws Exception {
    segments.forEach((ref, b) -> {
      genuine.put(ref, b);
      tampered.put(ref, tamper.apply(b));
    });
    SuperPeerConfig config = SuperPeerConfig.builder("main").allowLoopback(true).token(RealSignaling.SUPER_PEER_TOKEN).build();
    // The hostile peer first, so that the viewer connects to it first and asks it first.
    hostile = SuperPeers.create(config, tampered, signaling.transport());
    PeerId hostileId = hostile.start().get(10, TimeUnit.SECONDS);
    awaitSources(List.of(hostileId));

    viewer = new WebRtcViewer(signaling.transport(), true, 4);
    viewer.start().get(10, TimeUnit.SECONDS);
    viewer.join("main").get(10, TimeUnit.SECONDS);
    awaitOpenNeighbours(1);

    honest = SuperPeers.create(config, genuine, signaling.transport());
    PeerId honestId = honest.start().get(10, TimeUnit.SECONDS);
    awaitSources(List.of(hostileId, honestId));
    viewer.requestPeers("main");
    awaitOpenNeighbours(2);

    for (Map.Entry<SegmentRef, byte[]> e : segments.entrySet()) {
      byte[] got = viewer.fetch(e.getKey(), signed.get(e.getKey()), WAIT).get(20, TimeUnit.SECONDS);
      assertThat(got).as("only the published bytes of %s are ever handed out", e.getKey()).isEqualTo(e.getValue());
    }

    assertThat(viewer.blocked().get(5, TimeUnit.SECONDS)).containsExactly(hostileId);
    assertThat(hostile.stats().segmentsServed() + hostile.stats().requestsRefused())
        .as("the hostile peer was asked once: cut at its first bad segment")
        .isLessThanOrEqualTo(1);
    assertThat(honest.stats().segmentsServed()).isEqualTo(segments.size());
    // Reported and banned: the Tracker no longer lists it as a source of anything.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (signaling.coordinator.tracker().sources().getOrDefault("main", List.of()).contains(hostileId)
        && System.nanoTime() < deadline) {
      Thread.sleep(20); // the report is on its way over the WebSocket
    }
    assertThat(signaling.coordinator.tracker().sources().get("main")).doesNotContain(hostileId).contains(honestId);
    return hostileId;
  }

  private void awaitSources(List<PeerId> ids) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!signaling.coordinator.tracker().sources().getOrDefault("main", List.of()).containsAll(ids)
        && System.nanoTime() < deadline) {
      Thread.sleep(20); // state reports travel over the WebSocket
    }
    assertThat(signaling.coordinator.tracker().sources().get("main")).containsAll(ids);
  }

  private void awaitOpenNeighbours(int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (viewer.openNeighbours().get(5, TimeUnit.SECONDS) < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(viewer.openNeighbours().get(5, TimeUnit.SECONDS)).isEqualTo(n);
  }
}
