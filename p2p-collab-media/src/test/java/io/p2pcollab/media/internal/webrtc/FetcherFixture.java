package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.ServingBudget;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.core.testing.ManualClock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * The Java viewer's {@link SegmentFetcher} on fake links and a manual clock, for its unit tests:
 * open neighbours that announced what a test says ({@link #neighbour}), every message the viewer
 * sends them recorded ({@link FakeLink}), the reports it makes to the Coordinator, the fresh-peer
 * requests after a cut, and the GETs it sends the origin (answered by the test). Single-threaded:
 * every executor runs its task at once.
 */
final class FetcherFixture {

  static final WireCodec CODEC = WireCodec.binary();

  final ManualClock clock = new ManualClock();
  final ManualTimers timers = new ManualTimers(clock);
  final List<SignalMessage> toCoordinator = new ArrayList<>();
  final Testimony testimony = new Testimony(toCoordinator::add);
  final Map<PeerId, ViewerNeighbour> neighbours = new LinkedHashMap<>();
  /** The stream named each time a cut made the viewer ask for fresh peers. */
  final List<String> cuts = new ArrayList<>();
  /** GETs sent to the origin, answered by the test. */
  final Map<SegmentRef, BiConsumer<Origin.Answer, String>> origin = new LinkedHashMap<>();
  final SegmentFetcher fetcher = new SegmentFetcher(timers, Runnable::run, neighbours.values(), testimony, null,
      FetchPolicy.standard(), new SegmentFetcher.Host() {
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
        public void fromOrigin(SegmentRef ref, BiConsumer<Origin.Answer, String> done) {
          origin.put(ref, done);
        }
      });
  final Random random;
  /** What the viewer serves its neighbours: nothing. */
  private final SegmentServer.Context nothingServed =
      new SegmentServer.Context(new InMemorySegmentSource(), List.of(), new ServingCounters(), clock, Duration.ofSeconds(10));

  /** @param seed of the peer IDs and of {@link #bytes} */
  FetcherFixture(long seed) {
    this.random = new Random(seed);
  }

  /** {@code n} random bytes. */
  byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  static WebRtcViewer.Loaded delivered(Fetch f) {
    assertThat(f.result).as("delivered").isCompleted();
    return f.result.getNow(null);
  }

  /** An open regular neighbour that has announced {@code claims}. */
  FakeLink neighbour(SegmentRef... claims) {
    return neighbour(PeerId.random(random), false, claims);
  }

  /** An open super-peer neighbour that has announced {@code claims}. */
  FakeLink superPeer(SegmentRef... claims) {
    return neighbour(PeerId.random(random), true, claims);
  }

  FakeLink neighbour(PeerId id, boolean superPeer, SegmentRef... claims) {
    ViewerNeighbour n = new ViewerNeighbour(id, superPeer, "main", new ViewerNeighbour.Owner() {
      @Override
      public void signal(SignalMessage message) {}

      @Override
      public void opened(ViewerNeighbour n) {}

      @Override
      public SegmentServer serverFor(ViewerNeighbour n) {
        return new SegmentServer(nothingServed, n.link, new ServingBudget(ServingBudget.Config.defaults()),
            (reason, stream) -> fetcher.cut(n, reason, "cut: " + reason.wireName()));
      }

      @Override
      public void misbehaved(ViewerNeighbour n, ReportReason reason, String detail) {
        fetcher.cut(n, reason, detail);
      }

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
      public void statement(ViewerNeighbour n, Fetch f, WireMessage.Statement statement) {
        fetcher.statement(n, f, statement);
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
    n.onOpen();
    link.answer(WireMessage.Have.of("main", List.of(claims)));
    return link;
  }

  /** A neighbour's open data channel, recording what the viewer sends. */
  static final class FakeLink implements DataLink {
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

    List<Long> cancels() {
      return sent.stream().filter(WireMessage.Cancel.class::isInstance)
          .map(m -> ((WireMessage.Cancel) m).requestId()).toList();
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
