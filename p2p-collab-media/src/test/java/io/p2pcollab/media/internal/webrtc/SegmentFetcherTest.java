package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.core.testing.ManualClock;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Expected;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Java viewer's claim checks: a neighbour is asked only for what it claims, and one whose
 * answers belie its claims — NOT_FOUND for a segment it still claims, or no answer at all within
 * the request deadline — is reported once and cut, and the segment asked elsewhere. A NOT_FOUND its
 * moving window explains, a BUSY, or a slow transfer is no lie.
 */
class SegmentFetcherTest {

  private static final WireCodec CODEC = WireCodec.binary();
  private static final SegmentRef INIT = SegmentRef.init("main", "0");

  private final ManualClock clock = new ManualClock();
  private final ManualTimers timers = new ManualTimers(clock);
  private final List<SignalMessage> toCoordinator = new ArrayList<>();
  private final Testimony testimony = new Testimony(toCoordinator::add);
  private final Map<PeerId, ViewerNeighbour> neighbours = new LinkedHashMap<>();
  private final List<String> cuts = new ArrayList<>();
  private final SegmentFetcher fetcher = new SegmentFetcher(timers, Runnable::run, neighbours.values(), testimony, null,
      new SegmentFetcher.Host() {
        @Override
        public boolean closed() {
          return false;
        }

        @Override
        public void asking(ViewerNeighbour n) {}

        @Override
        public void cut(ViewerNeighbour n, String stream) {
          cuts.add(stream);
        }

        @Override
        public URI originUrl(SegmentRef ref) {
          throw new AssertionError("no origin here");
        }
      });
  private final Random random = new Random(5);
  private final byte[] two = bytes(40_000);

  @Test
  void notFound_forASegmentItStillClaims_isReportedOnce_andTheSegmentIsAskedElsewhere() {
    FakeLink liar = neighbour(seg(1), seg(2), seg(3));
    FakeLink honest = neighbour(seg(1), seg(2), seg(3));
    Fetch f = fetch(seg(2));

    long asked = liar.lastRequest().requestId();
    liar.answer(new WireMessage.Error(asked, WireMessage.Error.NOT_FOUND, "not held"));

    assertThat(toCoordinator).containsExactly(new SignalMessage.Report(liar.id, "main", "not-found"));
    assertThat(liar.closedFor).contains("NOT_FOUND");
    assertThat(cuts).containsExactly("main"); // fresh peers are asked for
    honest.deliver(honest.lastRequest().requestId(), two);
    assertThat(f.result.join().from()).isEqualTo(honest.id);
    assertThat(testimony.takeServedBy()).containsExactly(honest.id);
  }

  @Test
  void notFound_forTheOldestSegmentClaimed_isTheWindowMovingOn_notALie() {
    FakeLink sliding = neighbour(seg(2), seg(3), seg(4));
    FakeLink other = neighbour(seg(2), seg(3), seg(4));
    fetch(seg(2));

    sliding.answer(new WireMessage.Error(sliding.lastRequest().requestId(), WireMessage.Error.NOT_FOUND, "gone"));

    assertThat(toCoordinator).isEmpty();
    assertThat(sliding.closedFor).isNull();
    assertThat(other.lastRequest().ref()).isEqualTo(seg(2));
  }

  @Test
  void notFound_afterAHaveThatDroppedTheSegment_isNoLie() {
    FakeLink n = neighbour(seg(1), seg(2), seg(3));
    fetch(seg(2));
    long asked = n.lastRequest().requestId();

    n.answer(WireMessage.Have.of("main", List.of(seg(3), seg(4)))); // the window moved before it answered
    n.answer(new WireMessage.Error(asked, WireMessage.Error.NOT_FOUND, "gone"));

    assertThat(toCoordinator).isEmpty();
  }

  @Test
  void notFound_forAClaimedInitSegment_isALie() {
    FakeLink liar = neighbour(INIT, seg(5));
    fetch(INIT);

    liar.answer(new WireMessage.Error(liar.lastRequest().requestId(), WireMessage.Error.NOT_FOUND, "no"));

    assertThat(toCoordinator).containsExactly(new SignalMessage.Report(liar.id, "main", "not-found"));
  }

  @Test
  void busy_isARefusal_notALie() {
    FakeLink busy = neighbour(seg(1), seg(2));
    FakeLink other = neighbour(seg(1), seg(2));
    fetch(seg(2));

    busy.answer(new WireMessage.Error(busy.lastRequest().requestId(), WireMessage.Error.BUSY, "full"));

    assertThat(toCoordinator).isEmpty();
    assertThat(other.requests()).hasSize(1);
  }

  @Test
  void noAnswerWithinTheRequestDeadline_isReported_andTheSegmentIsAskedElsewhere() {
    FakeLink silent = neighbour(seg(1), seg(2));
    FakeLink honest = neighbour(seg(1), seg(2));
    Fetch f = fetch(seg(2));

    timers.advance(WebRtcViewer.REQUEST_DEADLINE.minusMillis(1));
    assertThat(toCoordinator).isEmpty();
    assertThat(honest.requests()).isEmpty();
    timers.advance(Duration.ofMillis(1));

    assertThat(toCoordinator).containsExactly(new SignalMessage.Report(silent.id, "main", "no-answer"));
    assertThat(silent.closedFor).contains("did not answer");
    honest.deliver(honest.lastRequest().requestId(), two);
    assertThat(f.result.join().bytes()).isEqualTo(two);
  }

  @Test
  void aTransferUnderWay_isNotReportedAtTheDeadline() {
    FakeLink slow = neighbour(seg(1), seg(2));
    Fetch f = fetch(seg(2));
    long asked = slow.lastRequest().requestId();
    slow.answer(new WireMessage.Data(asked, two.length, 0, Arrays.copyOf(two, 1000)));

    timers.advance(WebRtcViewer.REQUEST_DEADLINE.plusSeconds(1));

    assertThat(toCoordinator).isEmpty();
    assertThat(slow.closedFor).isNull();
    slow.answer(new WireMessage.Data(asked, two.length, 1000, Arrays.copyOfRange(two, 1000, 17_384)));
    slow.answer(new WireMessage.Data(asked, two.length, 17_384, Arrays.copyOfRange(two, 17_384, 33_768)));
    slow.answer(new WireMessage.Data(asked, two.length, 33_768, Arrays.copyOfRange(two, 33_768, two.length)));
    assertThat(f.result.join().from()).isEqualTo(slow.id);
  }

  @Test
  void anAnsweredRequest_leavesNoDeadlineBehind() {
    FakeLink n = neighbour(seg(1), seg(2));
    Fetch f = fetch(seg(2));
    n.deliver(n.lastRequest().requestId(), two);

    timers.advance(Duration.ofMinutes(1));

    assertThat(f.result).isCompleted();
    assertThat(toCoordinator).isEmpty();
  }

  @Test
  void aPeerIsNeverAskedForWhatItDoesNotClaim_soItsSilenceIsNoLie() {
    FakeLink n = neighbour(seg(1));
    Fetch f = fetch(seg(2));

    timers.advance(Duration.ofSeconds(30));

    assertThat(n.requests()).isEmpty();
    assertThat(toCoordinator).isEmpty();
    assertThat(f.result).isCompletedExceptionally(); // its own deadline: nobody delivered
  }

  @Test
  void badBytes_areReportedAsBefore() {
    FakeLink liar = neighbour(seg(1), seg(2));
    Fetch f = fetch(seg(2));

    liar.deliver(liar.lastRequest().requestId(), bytes(40_000)); // other bytes, same length

    assertThat(toCoordinator).containsExactly(new SignalMessage.Report(liar.id, "main", "bad-segment"));
    assertThat(f.result).isNotDone();
  }

  // ---

  private static SegmentRef seg(long n) {
    return new SegmentRef("main", "0", n);
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** A fetch of {@code ref}, expected to be {@link #two}, with 20 s to complete. */
  private Fetch fetch(SegmentRef ref) {
    Fetch f = new Fetch(ref, false);
    fetcher.arm(f, Duration.ofSeconds(20));
    fetcher.begin(f, new Expected(two.length, Hashes.sha256Hex(two)));
    return f;
  }

  /** An open neighbour that has announced {@code claims}. */
  private FakeLink neighbour(SegmentRef... claims) {
    PeerId id = PeerId.random(random);
    ViewerNeighbour n = new ViewerNeighbour(id, new ViewerNeighbour.Owner() {
      @Override
      public void signal(SignalMessage message) {}

      @Override
      public void opened(ViewerNeighbour n) {}

      @Override
      public void announced(ViewerNeighbour n) {
        fetcher.dispatch();
      }

      @Override
      public void requested(ViewerNeighbour n) {}

      @Override
      public void chunk(ViewerNeighbour n, Fetch f, WireMessage.Data chunk) {
        fetcher.chunk(n, f, chunk);
      }

      @Override
      public void refused(ViewerNeighbour n, Fetch f, WireMessage.Error error) {
        fetcher.refused(n, f, error);
      }

      @Override
      public void closed(ViewerNeighbour n, String reason) {
        neighbours.remove(n.id);
        new ArrayList<>(n.downloads.values()).forEach(f -> fetcher.elsewhere(n, f));
      }
    });
    FakeLink link = new FakeLink(n);
    n.link = link;
    neighbours.put(id, n);
    link.answer(WireMessage.Have.of("main", List.of(claims)));
    return link;
  }

  /** A neighbour's open data channel, recording what the viewer sends. */
  private static final class FakeLink implements DataLink {
    final ViewerNeighbour neighbour;
    final PeerId id;
    final List<WireMessage> sent = new ArrayList<>();
    String closedFor;

    FakeLink(ViewerNeighbour neighbour) {
      this.neighbour = neighbour;
      this.id = neighbour.id;
    }

    @Override
    public boolean send(ByteBuffer message) {
      if (closedFor != null) {
        return false;
      }
      sent.add(CODEC.decode(message));
      return true;
    }

    @Override
    public boolean writable() {
      return closedFor == null;
    }

    @Override
    public boolean isOpen() {
      return closedFor == null;
    }

    @Override
    public void close(String reason) {
      if (closedFor == null) {
        closedFor = reason;
        neighbour.onClosed(reason);
      }
    }

    List<WireMessage.Request> requests() {
      return sent.stream().filter(WireMessage.Request.class::isInstance).map(WireMessage.Request.class::cast).toList();
    }

    WireMessage.Request lastRequest() {
      List<WireMessage.Request> r = requests();
      assertThat(r).as("requests sent to %s", id).isNotEmpty();
      return r.get(r.size() - 1);
    }

    /** The neighbour sends {@code m}. */
    void answer(WireMessage m) {
      ByteBuffer b = CODEC.encode(m);
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      neighbour.onMessage(bytes);
    }

    /** The neighbour sends {@code segment} in 16 KiB chunks. */
    void deliver(long requestId, byte[] segment) {
      for (int off = 0; off < segment.length; off += WireMessage.MAX_PAYLOAD) {
        answer(new WireMessage.Data(requestId, segment.length, off,
            Arrays.copyOfRange(segment, off, Math.min(segment.length, off + WireMessage.MAX_PAYLOAD))));
      }
    }
  }
}
