package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.SegmentAssembler;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentSigner;
import io.p2pcollab.core.SegmentSource;
import io.p2pcollab.core.ServingBudget;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.core.testing.ManualClock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * What a {@link SegmentServer} test serves with: segments in memory (every read counted; signed, and
 * served with their statements, if a signer is given), a recording sink, a manual clock, streams
 * {@code main} and {@code other}, a drain timeout of 10 s, and the cuts its servers report, as
 * {@code "<reason> in <stream>"}. Single-threaded.
 */
final class ServingFixture {

  static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

  final WireCodec codec = WireCodec.binary();
  final InMemorySegmentSource source;
  final RecordingSink sink = new RecordingSink();
  final ServingCounters counters = new ServingCounters();
  final ManualClock clock = new ManualClock();
  final List<String> cuts = new ArrayList<>();
  final AtomicInteger reads = new AtomicInteger();
  final SegmentServer.Context context =
      new SegmentServer.Context(new CountingSource(), List.of("main", "other"), counters, clock, DRAIN_TIMEOUT);

  /** Serving unsigned streams. */
  ServingFixture() {
    this(null);
  }

  /** Serving streams signed by {@code signer} (null: unsigned). */
  ServingFixture(SegmentSigner signer) {
    this.source = new InMemorySegmentSource(signer);
  }

  /** A server on the sink with a fresh budget of {@code budget}. */
  SegmentServer serverWith(ServingBudget.Config budget) {
    return new SegmentServer(context, sink, new ServingBudget(budget),
        (reason, stream) -> cuts.add(reason.wireName() + " in " + stream));
  }

  byte[] encode(WireMessage m) {
    ByteBuffer b = codec.encode(m);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  static byte[] reassemble(long requestId, List<WireMessage.Data> chunks) {
    SegmentAssembler assembler = new SegmentAssembler(requestId);
    chunks.forEach(assembler::accept);
    return assembler.segment();
  }

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** The fixture's segments, counting every read. */
  private final class CountingSource implements SegmentSource {
    @Override
    public Optional<byte[]> segment(SegmentRef ref) {
      reads.incrementAndGet();
      return source.segment(ref);
    }

    @Override
    public Optional<SegmentSignature> statement(SegmentRef ref) {
      return source.statement(ref);
    }

    @Override
    public List<SegmentRef> window(String stream) {
      return source.window(stream);
    }

    @Override
    public AutoCloseable onSegment(Consumer<SegmentRef> listener) {
      return source.onSegment(listener);
    }
  }

  /**
   * Decodes what the server sends; takes {@code capacity} more messages, then is not writable.
   * {@code buffered} is what it reports as queued.
   */
  final class RecordingSink implements WireSink {
    final List<WireMessage> sent = new ArrayList<>();
    int capacity = Integer.MAX_VALUE;
    long buffered;

    @Override
    public boolean send(ByteBuffer message) {
      sent.add(codec.decode(message));
      if (capacity != Integer.MAX_VALUE) {
        capacity--;
      }
      return true;
    }

    @Override
    public boolean writable() {
      return capacity > 0;
    }

    @Override
    public long bufferedAmount() {
      return buffered;
    }

    List<WireMessage.Data> data() {
      return sent.stream().filter(m -> m instanceof WireMessage.Data).map(m -> (WireMessage.Data) m).toList();
    }

    List<WireMessage.Statement> statements() {
      return sent.stream().filter(m -> m instanceof WireMessage.Statement).map(m -> (WireMessage.Statement) m).toList();
    }

    List<WireMessage.Error> errors() {
      return sent.stream().filter(m -> m instanceof WireMessage.Error).map(m -> (WireMessage.Error) m).toList();
    }
  }
}
