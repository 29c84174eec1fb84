package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.ServingBudget;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.media.SuperPeers;
import io.p2pcollab.tracker.PeerReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's acceptance with webrtc-java peers, all real: the super-peer behind the real
 * Coordinator and WebSocket server, an honest Java viewer, and a scripted peer that floods the
 * super-peer with REQUESTs for segments it holds as fast as its channel takes them, never acting
 * on an answer. The flooder is cut within 2 s by its serving budget (protocol §2.5), reported
 * {@code flooding}, its next offer goes unanswered, the super-peer sends it no more than its budget
 * allows, and the honest viewer gets every segment it asks for, during the flood and after.
 */
class SuperPeerFloodIT {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int SEGMENT_BYTES = 100_000;
  private static final int SEGMENTS = 30;
  private static final ServingBudget.Config BUDGET = ServingBudget.Config.defaults();

  private RealSignaling signaling;
  private final InMemorySegmentSource source = new InMemorySegmentSource();
  private final List<SegmentRef> refs = new ArrayList<>();
  private SuperPeer superPeer;
  private WebRtcViewer honest;
  private FloodingPeer flooder;

  @BeforeEach
  void setUp() throws Exception {
    LoopbackOnly.assumeLoopbackOnlyNetwork();
    signaling = new RealSignaling(); // two reporters ban: the super-peer's report alone is counted, no more
    for (long n = 1; n <= SEGMENTS; n++) {
      SegmentRef ref = new SegmentRef("main", "0", n);
      byte[] b = new byte[SEGMENT_BYTES];
      new Random(n).nextBytes(b);
      source.put(ref, b);
      refs.add(ref);
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {flooder, honest, superPeer, signaling}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void aPeerFloodingTheSuperPeer_isCutWithinTwoSeconds_reportedFlooding_andNeverAnsweredAgain_whileAnHonestViewerGetsEverySegment()
      throws Exception {
    superPeer = SuperPeers.create(
        SuperPeerConfig.builder("main").servingBudget(BUDGET).allowLoopback(true).token(RealSignaling.SUPER_PEER_TOKEN).build(),
        source, signaling.transport());
    PeerId superPeerId = superPeer.start().get(10, TimeUnit.SECONDS);
    await("the super-peer is listed", () -> signaling.superPeers().contains(superPeerId));

    honest = new WebRtcViewer(signaling.transport(), true, 1);
    honest.start().get(10, TimeUnit.SECONDS);
    honest.join("main").get(10, TimeUnit.SECONDS);
    long honestBytes = fetch(refs.get(0));

    // The flood starts the moment its channel opens; the honest viewer asks while it is on.
    flooder = new FloodingPeer(signaling.transport(), refs);
    flooder.start("main");
    PeerId flooderId = flooder.registered.get(10, TimeUnit.SECONDS);
    flooder.joined.get(10, TimeUnit.SECONDS);
    flooder.offerTo(superPeerId);
    long floodStarted = flooder.opened.get(10, TimeUnit.SECONDS);
    await("the flood is on", () -> flooder.requestsSent.get() >= 100);
    long slowestMs = 0;
    for (SegmentRef ref : refs.subList(1, 11)) {
      long t = System.nanoTime();
      honestBytes += fetch(ref);
      slowestMs = Math.max(slowestMs, (System.nanoTime() - t) / 1_000_000);
    }

    long cutMs = (flooder.closed.get(10, TimeUnit.SECONDS) - floodStarted) / 1_000_000;
    assertThat(cutMs).as("cut within 2 s of the flood's start").isLessThanOrEqualTo(2_000);
    await("the Coordinator hears the report", () -> !signaling.reports.isEmpty());
    assertThat(signaling.reports)
        .extracting(PeerReport::reporter, PeerReport::reported, PeerReport::reason, PeerReport::outcome)
        .containsExactly(tuple(superPeerId, flooderId, "flooding", PeerReport.Outcome.COUNTED));

    // It offers again: the Coordinator relays the offer (one report does not ban), the super-peer ignores it.
    flooder.offerTo(superPeerId);
    await("the second offer is refused", () -> superPeer.stats().offersRefused() == 1);
    assertThat(flooder.secondOfferAnswers).as("never answered").hasValue(0);

    for (SegmentRef ref : refs.subList(11, 16)) {
      long t = System.nanoTime();
      honestBytes += fetch(ref);
      slowestMs = Math.max(slowestMs, (System.nanoTime() - t) / 1_000_000);
    }

    // What the flooder cost: at most a burst and 2 s of refill, however many REQUESTs it sent.
    SuperPeer.Stats stats = superPeer.stats();
    long toFlooder = stats.bytesServed() - honestBytes;
    long segmentsToFlooder = stats.segmentsServed() - 16;
    long boundSegments = BUDGET.burst() + (long) Math.ceil(BUDGET.perSecond() * 2);
    System.out.printf(
        "SuperPeerFloodIT: flooder cut after %d ms, having sent %d REQUESTs; the super-peer sent it %d bytes "
            + "(%d segments of %d, bound %d segments) and it received %d; %d REQUESTs refused in all; "
            + "honest viewer got 16/16 segments (%d bytes), slowest fetch %d ms; flooder's second offer unanswered%n",
        cutMs, flooder.requestsSent.get(), toFlooder, segmentsToFlooder, SEGMENT_BYTES, boundSegments,
        flooder.dataBytesReceived.get(), stats.requestsRefused(), honestBytes, slowestMs);
    assertThat(stats.peersCut()).isEqualTo(1);
    assertThat(segmentsToFlooder).as("segments begun for the flooder").isLessThanOrEqualTo(boundSegments);
    assertThat(toFlooder).isLessThanOrEqualTo(boundSegments * SEGMENT_BYTES);
    assertThat(flooder.dataBytesReceived.get()).isLessThanOrEqualTo(toFlooder);
    assertThat(flooder.requestsSent.get()).as("it did flood").isGreaterThan(boundSegments + BUDGET.maxRefusals());
    assertThat(honestBytes).isEqualTo(16L * SEGMENT_BYTES);
    assertThat(stats.connectedPeers()).as("the honest viewer, still served").isEqualTo(1);
  }

  /** Fetches {@code ref} through the honest viewer: it must arrive, matching. */
  private long fetch(SegmentRef ref) throws Exception {
    byte[] want = source.segment(ref).orElseThrow();
    byte[] got = honest.fetch(ref, Hashes.sha256Hex(want), WAIT).get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
    assertThat(got).isEqualTo(want);
    return got.length;
  }

  /** Polls {@code condition} for up to 20 s: things travel over sockets and data channels. */
  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 20 s for: " + what);
      }
      Thread.sleep(10);
    }
  }
}
