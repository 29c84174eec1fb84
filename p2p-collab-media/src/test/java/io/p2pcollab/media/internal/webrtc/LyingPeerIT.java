package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSource;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.media.SuperPeers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Claims checked against reality, with real webrtc-java peers and the real Coordinator: a peer
 * that announces segments it does not serve — answering NOT_FOUND, or nothing at all — is cut and
 * reported by the Java viewer ({@code not-found}, {@code no-answer}), once, and the segment is then
 * taken from an honest peer.
 */
class LyingPeerIT {

  /** Segments 1-6 of track 0: what both super-peers announce. */
  private static final List<SegmentRef> WINDOW =
      LongStream.rangeClosed(1, 6).mapToObj(n -> new SegmentRef("main", "0", n)).toList();
  /** What the liar does not serve: claimed with 4 older ones, so no window moving on explains a NOT_FOUND. */
  private static final SegmentRef LIED = WINDOW.get(5);

  private RealSignaling signaling;
  private final InMemorySegmentSource published = new InMemorySegmentSource();
  private final CountDownLatch release = new CountDownLatch(1);
  private SuperPeer liar;
  private SuperPeer honest;
  private WebRtcViewer viewer;

  @BeforeEach
  void setUp() throws Exception {
    LoopbackOnly.assumeLoopbackOnlyNetwork();
    signaling = new RealSignaling();
    Random random = new Random(9);
    for (SegmentRef r : WINDOW) {
      byte[] b = new byte[30_000];
      random.nextBytes(b);
      published.put(r, b);
    }
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    for (AutoCloseable c : new AutoCloseable[] {viewer, liar, honest, signaling}) {
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
  void aPeerAnsweringNotFoundForWhatItClaims_isReportedNotFound_andAnHonestPeerServesTheSegment() throws Exception {
    // It announces 1-6 and answers NOT_FOUND for 6: no window moving on can explain that.
    liar = start(new Lying(published, ref -> Optional.empty()));
    PeerId liarId = awaitSource(null);

    fetchFromTheLiarThenFromAnHonestPeer(liarId);

    assertThat(viewer.blocked().get(5, TimeUnit.SECONDS)).containsExactly(Map.entry(liarId, "not-found"));
  }

  @Test
  void aPeerThatNeverAnswersARequestForWhatItClaims_isReportedNoAnswer() throws Exception {
    // It announces 1-6 and, asked for 6, says nothing: its serving thread waits for the test's end.
    liar = start(new Lying(published, ref -> {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Optional.empty();
    }));
    PeerId liarId = awaitSource(null);

    fetchFromTheLiarThenFromAnHonestPeer(liarId);

    assertThat(viewer.blocked().get(5, TimeUnit.SECONDS)).containsExactly(Map.entry(liarId, "no-answer"));
  }

  /**
   * The viewer meets only the liar and asks it for segment 6: cut and reported, so the fetch finds
   * nobody. Then an honest super-peer comes and serves it.
   */
  private void fetchFromTheLiarThenFromAnHonestPeer(PeerId liarId) throws Exception {
    viewer = new WebRtcViewer(signaling.transport(), true, 2);
    viewer.start().get(10, TimeUnit.SECONDS);
    viewer.join("main").get(10, TimeUnit.SECONDS);
    await("the liar's HAVE", () -> announced(liarId).contains(LIED));
    String sha = Hashes.sha256Hex(published.segment(LIED).orElseThrow());

    assertThatThrownBy(() -> viewer.fetch(LIED, sha, Duration.ofSeconds(6)).get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(WebRtcViewer.FetchException.class);
    await("the liar is cut", () -> !announced(liarId).contains(LIED));

    honest = start(published);
    PeerId honestId = awaitSource(liarId);
    viewer.requestPeers("main");
    await("the honest peer's HAVE", () -> announced(honestId).contains(LIED));
    byte[] got = viewer.fetch(LIED, sha, Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
    assertThat(got).isEqualTo(published.segment(LIED).orElseThrow());
    // The super-peer counts a segment once its last chunk is written, which may be after the
    // viewer has it: wait for the count, then check it is exactly one.
    await("the honest peer counts the segment served", () -> honest.stats().segmentsServed() >= 1);
    assertThat(honest.stats().segmentsServed()).as("from the honest peer").isEqualTo(1);
    assertThat(viewer.blocked().get(5, TimeUnit.SECONDS)).as("reported once, never met again").hasSize(1);
  }

  private SuperPeer start(SegmentSource source) throws Exception {
    SuperPeer sp = SuperPeers.create(
        SuperPeerConfig.builder("main").allowLoopback(true).token(RealSignaling.SUPER_PEER_TOKEN).build(),
        source, signaling.transport());
    sp.start().get(10, TimeUnit.SECONDS);
    return sp;
  }

  /** The super-peer the Tracker lists now, other than {@code besides}. */
  private PeerId awaitSource(PeerId besides) throws InterruptedException {
    await("a super-peer is listed", () -> signaling.superPeers().stream().anyMatch(p -> !p.equals(besides)));
    return signaling.superPeers().stream().filter(p -> !p.equals(besides)).findFirst().orElseThrow();
  }

  private java.util.Set<SegmentRef> announced(PeerId peer) {
    try {
      return viewer.announced(peer, "main").get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 20 s for: " + what);
      }
      Thread.sleep(20);
    }
  }

  /** Announces what {@code genuine} holds, but answers {@link #LIED} with {@code lie}. */
  private static final class Lying implements SegmentSource {
    private final SegmentSource genuine;
    private final java.util.function.Function<SegmentRef, Optional<byte[]>> lie;

    Lying(SegmentSource genuine, java.util.function.Function<SegmentRef, Optional<byte[]>> lie) {
      this.genuine = genuine;
      this.lie = lie;
    }

    @Override
    public Optional<byte[]> segment(SegmentRef ref) {
      return ref.equals(LIED) ? lie.apply(ref) : genuine.segment(ref);
    }

    @Override
    public List<SegmentRef> window(String stream) {
      return genuine.window(stream);
    }

    @Override
    public AutoCloseable onSegment(Consumer<SegmentRef> listener) {
      return genuine.onSegment(listener);
    }
  }
}
