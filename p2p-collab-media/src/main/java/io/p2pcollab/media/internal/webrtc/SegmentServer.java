package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentSource;
import io.p2pcollab.core.ServingBudget;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving side of the peer wire protocol on one data channel (docs/protocol.md §2): announces
 * the window with HAVE, answers REQUESTs with DATA chunks of at most {@link
 * WireMessage#MAX_PAYLOAD} bytes while the sink is writable, answers NOT_FOUND / BUSY /
 * BAD_REQUEST errors, and drops a transfer on CANCEL. Transfers are served in the order they were
 * requested. A segment the source has a signed statement for ({@link SegmentSource#statement}: a
 * signed stream) is answered with that {@link WireMessage.Statement} first, queued like the chunks
 * and right before the first of them (§2.7).
 *
 * <p>Serving is bounded per neighbour (§2.5). Every REQUEST first goes through the neighbour's
 * {@link ServingBudget}, with the transfers under way as its active count: over budget it is
 * answered BUSY and nothing is read from the source. A message of an unknown type (perhaps a newer
 * protocol's) is answered with an ERROR of request ID 0 and counts as a refusal of the budget, so
 * garbage costs like a flood. When the budget says CUT the server stops for good — no answer, no
 * further chunk, every later message ignored — and tells its owner once ({@link Cut}, reason
 * {@link ReportReason#FLOODING}), who closes the link, reports the neighbour and blocks it.
 *
 * <p>Violations (§2.4) are cut at once, reason {@link ReportReason#PROTOCOL_VIOLATION}: a message
 * of a known type that does not decode (truncated, trailing bytes, out of range), one over the
 * size limit, and DATA or STATEMENT, which answer no request of a peer that only serves.
 *
 * <p>A neighbour that never drains what it asked for is cut the same way, reason {@link
 * ReportReason#NOT_DRAINING}: {@link #watchDrain()}, called now and then by the owner, cuts it once
 * its channel has stayed paused above the high-water mark (the sink not writable, bytes buffered)
 * for the context's {@code drainTimeout} without the buffered amount ever dropping below its
 * lowest since the pause began. Any progress restarts the wait: a slow link is not a dead one.
 *
 * <p>Threading: confined to the owner's executor; time comes from the context's {@link Clock}.
 */
final class SegmentServer {

  private static final Logger log = LoggerFactory.getLogger(SegmentServer.class);

  /**
   * What the servers of one serving peer share.
   *
   * @param streams the streams served: the owner's live view (contributed streams come and go)
   * @param counters what the peer sent, summed over its servers
   * @param drainTimeout how long a paused channel may make no progress before its neighbour is cut
   */
  record Context(SegmentSource source, Collection<String> streams, ServingCounters counters, Clock clock,
      Duration drainTimeout) {
    Context {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(streams, "streams");
      Objects.requireNonNull(counters, "counters");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(drainTimeout, "drainTimeout");
    }
  }

  /** How a server tells its owner that the neighbour is cut; once, on the owner's executor. */
  @FunctionalInterface
  interface Cut {
    /**
     * Close the link, report the neighbour for {@code reason} in {@code stream}, never serve it again.
     *
     * @param stream the stream to name in the report: the last served one the neighbour asked for,
     *     else the first served; null if none is served
     */
    void cut(ReportReason reason, String stream);
  }

  private final WireSink sink;
  private final Context context;
  private final ServingBudget budget;
  private final Cut onCut;
  private final WireCodec codec = WireCodec.binary();
  private final Map<Long, Transfer> transfers = new LinkedHashMap<>();
  /** The last served stream the neighbour asked for: what a report names. */
  private String lastStream;
  /** When the channel was last seen paused with no progress, or null while it is not paused. */
  private Instant stalledSince;
  private long lowestBuffered;
  private boolean cut;

  /**
   * @param budget the neighbour's budget: one per neighbour, kept across its links by the owner
   */
  SegmentServer(Context context, WireSink sink, ServingBudget budget, Cut onCut) {
    this.context = Objects.requireNonNull(context, "context");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.budget = Objects.requireNonNull(budget, "budget");
    this.onCut = Objects.requireNonNull(onCut, "onCut");
  }

  /** Sends a HAVE for every stream served. */
  void announceAll() {
    context.streams().forEach(this::announce);
  }

  /** Sends a HAVE with the current window of {@code stream}. */
  void announce(String stream) {
    if (!cut) {
      sink.send(codec.encode(have(stream, context.source().window(stream))));
    }
  }

  /**
   * Sends an empty HAVE for {@code stream}: this peer serves none of it any more (a contribution
   * ended), so that no neighbour asks for what it announced before and takes NOT_FOUND for a lie.
   */
  void withdraw(String stream) {
    if (cut) {
      return;
    }
    sink.send(codec.encode(WireMessage.Have.of(stream, List.of())));
  }

  /** Transfers in progress. */
  int activeTransfers() {
    return transfers.size();
  }

  /** Whether the neighbour was cut: this server does nothing any more. */
  boolean isCut() {
    return cut;
  }

  /**
   * Handles one message of the peer served.
   *
   * @return true if it was a well-formed REQUEST served or refused (the link is in use); false for
   *     anything else, and once the neighbour is cut
   */
  boolean onMessage(byte[] bytes) {
    if (cut) {
      return false;
    }
    WireMessage message;
    try {
      message = codec.decode(ByteBuffer.wrap(bytes));
    } catch (P2pCollabException e) {
      undecodable(e);
      return false;
    }
    return handle(message);
  }

  /**
   * A message of the peer served that did not decode, for why {@code e}: an unknown type is
   * answered ERROR (request ID 0) and costs like a refusal; anything else is a violation, cut.
   */
  void undecodable(P2pCollabException e) {
    if (cut) {
      return;
    }
    if (e.code() != ErrorCode.UNKNOWN_TYPE) {
      cut(ReportReason.PROTOCOL_VIOLATION); // a known type garbled, or oversize: no honest peer sends it
      return;
    }
    // an unknown type may be a newer protocol's: answered, but it costs like a refused REQUEST
    context.counters().requestsRefused++;
    if (budget.refuse(context.clock().instant()) == ServingBudget.Decision.CUT) {
      cut(ReportReason.FLOODING);
    } else {
      sink.send(codec.encode(WireMessage.Error.of(e)));
    }
  }

  /**
   * Handles one decoded message of the peer served, as {@link #onMessage} does.
   *
   * @return true if it was a REQUEST served or refused (the link is in use); false for anything
   *     else, and once the neighbour is cut
   */
  boolean handle(WireMessage message) {
    if (cut) {
      return false;
    }
    if (message instanceof WireMessage.Request r) {
      onRequest(r);
      return !cut;
    } else if (message instanceof WireMessage.Cancel c) {
      transfers.remove(c.requestId());
    } else if (message instanceof WireMessage.Error e) {
      log.debug("peer reported error {} for request {}: {}", e.code(), e.requestId(), e.message());
    } else if (message instanceof WireMessage.Data || message instanceof WireMessage.Statement) {
      // an answer to a request never sent: a peer that only serves asks for nothing
      cut(ReportReason.PROTOCOL_VIOLATION);
    }
    // a HAVE means nothing to a peer that only serves
    return false;
  }

  /** Sends chunks while the sink takes them. Call again when the link is writable. */
  void pump() {
    if (cut) {
      return;
    }
    Iterator<Transfer> it = transfers.values().iterator();
    while (it.hasNext() && sink.writable()) {
      Transfer t = it.next();
      if (t.statement != null) {
        // queued like a chunk, right before the first: it waits for a writable channel as they do
        if (!sink.send(codec.encode(new WireMessage.Statement(t.requestId, t.statement)))) {
          return;
        }
        t.statement = null;
      }
      while (t.offset < t.bytes.length && sink.writable()) {
        int n = Math.min(WireMessage.MAX_PAYLOAD, t.bytes.length - t.offset);
        WireMessage.Data chunk =
            new WireMessage.Data(
                t.requestId, t.bytes.length, t.offset, Arrays.copyOfRange(t.bytes, t.offset, t.offset + n));
        if (!sink.send(codec.encode(chunk))) {
          return; // the link is closing; its owner will drop this server
        }
        t.offset += n;
        context.counters().bytesServed += n;
      }
      if (t.offset == t.bytes.length) {
        context.counters().segmentsServed++;
        it.remove();
      }
    }
  }

  /**
   * Cuts the neighbour ({@link ReportReason#NOT_DRAINING}) if its channel has been paused with bytes
   * buffered for the drain timeout and the buffered amount has not dropped below its lowest since
   * the pause began. The owner calls it now and then; the cut lands within one call of the timeout.
   */
  void watchDrain() {
    if (cut) {
      return;
    }
    long buffered = sink.bufferedAmount();
    if (sink.writable() || buffered == 0) {
      stalledSince = null; // not paused, or nothing of its left to send
      return;
    }
    Instant now = context.clock().instant();
    if (stalledSince == null || buffered < lowestBuffered) {
      stalledSince = now; // paused just now, or it took something since: the wait starts again
      lowestBuffered = buffered;
    } else if (!now.isBefore(stalledSince.plus(context.drainTimeout()))) {
      log.debug("no progress draining {} bytes for {}", buffered, context.drainTimeout());
      cut(ReportReason.NOT_DRAINING);
    }
  }

  private void onRequest(WireMessage.Request r) {
    ServingBudget.Decision decision = budget.request(context.clock().instant(), transfers.size());
    if (decision == ServingBudget.Decision.CUT) {
      context.counters().requestsRefused++;
      cut(ReportReason.FLOODING);
      return;
    }
    if (decision == ServingBudget.Decision.BUSY) {
      refuse(r.requestId(), WireMessage.Error.BUSY, "over this neighbour's serving budget");
      return;
    }
    if (transfers.containsKey(r.requestId())) {
      refuse(r.requestId(), WireMessage.Error.BAD_REQUEST, "request ID already in use");
      return;
    }
    SegmentRef ref = r.ref();
    boolean served = context.streams().contains(ref.stream());
    if (served) {
      lastStream = ref.stream();
    }
    // The statement is read on both sides of the bytes: a stream that restarted in between (a
    // fresh key, segment numbers reused) would pair old bytes with a new statement, and the
    // receiver would rightly cut us for it. Equal reads mean one run's bytes and statement.
    Optional<SegmentSignature> statement = served ? context.source().statement(ref) : Optional.empty();
    Optional<byte[]> bytes = served ? context.source().segment(ref) : Optional.empty();
    if (bytes.isEmpty() || bytes.get().length == 0
        || !statement.equals(context.source().statement(ref))) {
      refuse(r.requestId(), WireMessage.Error.NOT_FOUND, "not held: " + ref);
      return;
    }
    transfers.put(r.requestId(), new Transfer(r.requestId(), bytes.get(), statement.orElse(null)));
    pump();
  }

  private void refuse(long requestId, int code, String text) {
    context.counters().requestsRefused++;
    sink.send(codec.encode(new WireMessage.Error(requestId, code, text)));
  }

  /** Stops serving for good and tells the owner, once. */
  private void cut(ReportReason reason) {
    cut = true;
    transfers.clear();
    stalledSince = null;
    String stream = lastStream != null && context.streams().contains(lastStream)
        ? lastStream
        : context.streams().stream().findFirst().orElse(null);
    onCut.cut(reason, stream);
  }

  /**
   * A HAVE for {@code window} that fits one message: init segments first, then the newest media
   * segments, as many as fit.
   */
  static WireMessage.Have have(String stream, List<SegmentRef> window) {
    List<SegmentRef> ordered = new ArrayList<>(window);
    ordered.removeIf(r -> !r.stream().equals(stream));
    ordered.sort(
        Comparator.comparing((SegmentRef r) -> !r.isInit())
            .thenComparing(SegmentRef::number, Comparator.reverseOrder())
            .thenComparing(SegmentRef::track));
    int budget = WireCodec.MAX_MESSAGE_BYTES - (1 + 1 + utf8(stream) + 2);
    List<SegmentRef> fitting = new ArrayList<>();
    for (SegmentRef r : ordered) {
      int size = 1 + utf8(r.track()) + 4;
      if (size > budget || fitting.size() == 0xFFFF) {
        break;
      }
      budget -= size;
      fitting.add(r);
    }
    return WireMessage.Have.of(stream, fitting);
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static final class Transfer {
    final long requestId;
    final byte[] bytes;
    /** The statement still to send before the first chunk; null once sent, or for an unsigned stream. */
    SegmentSignature statement;
    int offset;

    Transfer(long requestId, byte[] bytes, SegmentSignature statement) {
      this.requestId = requestId;
      this.bytes = bytes;
      this.statement = statement;
    }
  }
}
