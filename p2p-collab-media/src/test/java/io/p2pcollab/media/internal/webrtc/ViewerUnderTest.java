package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSigner;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.core.testing.ManualClock;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * The Java viewer's fetching side under a conformance scenario: {@link ViewerNeighbours} (offers,
 * blocking, what neighbours ask of it), {@link SegmentFetcher} with {@link Transfers} and {@link
 * FetchPolicy#standard()}, and {@link Testimony}, wired as {@link WebRtcViewer} wires them, its
 * idle links swept every 250 ms. It joined stream {@code main}; the Coordinator listed the tester.
 * Its origin serves every segment as published, at once, a signed stream's with its {@code
 * P2P-Collab-Statement} header. The viewer serves nothing.
 */
final class ViewerUnderTest implements PeerUnderTest {

  private static final Duration IDLE_SWEEP = Duration.ofMillis(250);
  private static final int MAX_NEIGHBOURS = 4;
  private static final URI ORIGIN = URI.create("http://origin.invalid/");
  private static final PeerId SELF = PeerId.random(new Random(16));

  private final ManualTimers timers;
  private final List<SignalMessage> toCoordinator = new ArrayList<>();
  private final Testimony testimony = new Testimony(toCoordinator::add);
  private final ViewerNeighbours neighbours;
  private final SegmentFetcher fetcher;
  /** What the origin serves: the segments as the Media Server published them. */
  private final Map<SegmentRef, byte[]> published = new HashMap<>();
  /** The statement header the origin sends with each segment of a signed stream. */
  private final Map<SegmentRef, String> headers = new HashMap<>();
  private final List<Fetch> loads = new ArrayList<>();

  ViewerUnderTest(ManualClock clock, ManualTimers timers) {
    this.timers = timers;
    neighbours = new ViewerNeighbours(MAX_NEIGHBOURS, WebRtcViewer.FIRST_REQUEST_TIMEOUT, clock, testimony,
        toCoordinator::add, this::fetcher);
    fetcher = new SegmentFetcher(timers, task -> timers.after(Duration.ZERO, task), neighbours.view(), testimony, null,
        FetchPolicy.standard(), new SegmentFetcher.Host() {
          @Override
          public boolean closed() {
            return false;
          }

          @Override
          public void asking(ViewerNeighbour n) {
            neighbours.requesting(n);
          }

          @Override
          public void cut(ViewerNeighbour n, String stream) {
            toCoordinator.add(new SignalMessage.PeersRequest(stream, MAX_NEIGHBOURS));
          }

          @Override
          public void fromOrigin(SegmentRef ref, BiConsumer<Origin.Answer, String> done) {
            byte[] bytes = published.get(ref);
            timers.after(Duration.ZERO, () -> done.accept(
                bytes == null ? null : new Origin.Answer(bytes, headers.get(ref)), bytes == null ? "404" : null));
          }
        });
    sweep();
  }

  private SegmentFetcher fetcher() {
    return fetcher;
  }

  private void sweep() {
    timers.after(IDLE_SWEEP, () -> {
      neighbours.closeIdle();
      sweep();
    });
  }

  /** The Coordinator lists the tester (a regular peer) for {@code main}: the viewer offers to it. */
  @Override
  public void connect(ConformanceTester tester) {
    neighbours.offerTo("main", List.of(new PeerEntry(tester.id, false)), SELF, tester.links());
  }

  /**
   * The viewer answers no offer, the tester's included; so the Coordinator also lists the tester
   * again, as after a {@code peers} request, and the viewer must not offer to a peer it cut.
   */
  @Override
  public void offerAgain(ConformanceTester tester) {
    tester.link = null;
    neighbours.onSignal(new SignalMessage.Signal(SELF, tester.id, SignalMessage.SignalKind.OFFER, "v=0", null));
    connect(tester);
  }

  /**
   * A {@code load}. Of a signed stream (key {@link ConformanceTest#STREAM_KEY}), with no statement
   * known: it comes with the answer. Of an unsigned one, its hash read from {@code hashes.json}
   * beforehand.
   */
  @Override
  public void load(SegmentRef ref, byte[] bytes, Duration deadline, boolean signed) {
    published.put(ref, bytes);
    SegmentStatements st;
    if (signed) {
      SegmentSigner key = ConformanceTest.STREAM_KEY;
      st = new SegmentStatements(StreamInfo.standardSigned(ref.stream(), key.publicKey()));
      headers.put(ref, key.sign(ref, bytes).toEntryJson());
    } else {
      st = new SegmentStatements(StreamInfo.standard(ref.stream()));
      st.absorb("{\"" + ref.fileName() + "\":\"" + Hashes.sha256Hex(bytes) + "\"}");
      assertThat(st.expected(ref)).as("the hash of %s", ref).isPresent();
    }
    Fetch f = new Fetch(ref, true);
    loads.add(f);
    fetcher.load(f, st, deadline, ORIGIN);
  }

  @Override
  public List<String> reported(PeerId peer) {
    return PeerUnderTest.reasons(toCoordinator, peer);
  }

  /**
   * Every load is over (its deadline has passed), and one that succeeded has exactly the bytes
   * published: nothing else is ever handed out.
   */
  @Override
  public void finish() {
    for (Fetch f : loads) {
      assertThat(f.result).as("load of %s", f.ref).isDone();
      if (!f.result.isCompletedExceptionally()) {
        assertThat(Arrays.equals(f.result.join().bytes(), published.get(f.ref))).as("bytes of %s", f.ref).isTrue();
      }
    }
  }

  @Override
  public String toString() {
    return "viewer";
  }
}
