package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSource;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving side of the peer wire protocol on one data channel (docs/protocol.md §2): announces
 * the window with HAVE, answers REQUESTs with DATA chunks of at most {@link
 * WireMessage#MAX_PAYLOAD} bytes while the sink is writable, answers NOT_FOUND / BUSY /
 * BAD_REQUEST errors, and drops a transfer on CANCEL.
 *
 * <p>Transfers are served in the order they were requested; at most {@code maxRequests} at once.
 * A malformed message gets an ERROR with request ID 0 and never ends the connection by itself.
 *
 * <p>Threading: confined to the owner's executor.
 */
final class SegmentServer {

  private static final Logger log = LoggerFactory.getLogger(SegmentServer.class);

  private final WireSink sink;
  private final SegmentSource source;
  private final Collection<String> streams;
  private final int maxRequests;
  private final ServingCounters counters;
  private final WireCodec codec = WireCodec.binary();
  private final Map<Long, Transfer> transfers = new LinkedHashMap<>();

  SegmentServer(
      WireSink sink,
      SegmentSource source,
      Collection<String> streams,
      int maxRequests,
      ServingCounters counters) {
    this.sink = sink;
    this.source = source;
    this.streams = streams; // the owner's live view: contributed streams come and go
    this.maxRequests = maxRequests;
    this.counters = counters;
  }

  /** Sends a HAVE for every stream served. */
  void announceAll() {
    streams.forEach(this::announce);
  }

  /** Sends a HAVE with the current window of {@code stream}. */
  void announce(String stream) {
    sink.send(codec.encode(have(stream, source.window(stream))));
  }

  /**
   * Sends an empty HAVE for {@code stream}: this peer serves none of it any more (a contribution
   * ended), so that no neighbour asks for what it announced before and takes NOT_FOUND for a lie.
   */
  void withdraw(String stream) {
    sink.send(codec.encode(WireMessage.Have.of(stream, List.of())));
  }

  /** Transfers in progress. */
  int activeTransfers() {
    return transfers.size();
  }

  /**
   * Handles one message of the peer served.
   *
   * @return true if it was a well-formed REQUEST (served or refused): the link is in use
   */
  boolean onMessage(byte[] bytes) {
    WireMessage message;
    try {
      message = codec.decode(ByteBuffer.wrap(bytes));
    } catch (P2pCollabException e) {
      counters.requestsRefused++;
      sink.send(codec.encode(WireMessage.Error.of(e)));
      return false;
    }
    if (message instanceof WireMessage.Request r) {
      onRequest(r);
      return true;
    } else if (message instanceof WireMessage.Cancel c) {
      transfers.remove(c.requestId());
    } else if (message instanceof WireMessage.Error e) {
      log.debug("peer reported error {} for request {}: {}", e.code(), e.requestId(), e.message());
    }
    // HAVE and DATA mean nothing to a peer that only serves
    return false;
  }

  /** Sends chunks while the sink takes them. Call again when the link is writable. */
  void pump() {
    Iterator<Transfer> it = transfers.values().iterator();
    while (it.hasNext() && sink.writable()) {
      Transfer t = it.next();
      while (t.offset < t.bytes.length && sink.writable()) {
        int n = Math.min(WireMessage.MAX_PAYLOAD, t.bytes.length - t.offset);
        WireMessage.Data chunk =
            new WireMessage.Data(
                t.requestId, t.bytes.length, t.offset, Arrays.copyOfRange(t.bytes, t.offset, t.offset + n));
        if (!sink.send(codec.encode(chunk))) {
          return; // the link is closing; its owner will drop this server
        }
        t.offset += n;
        counters.bytesServed += n;
      }
      if (t.offset == t.bytes.length) {
        counters.segmentsServed++;
        it.remove();
      }
    }
  }

  private void onRequest(WireMessage.Request r) {
    if (transfers.containsKey(r.requestId())) {
      refuse(r.requestId(), WireMessage.Error.BAD_REQUEST, "request ID already in use");
      return;
    }
    if (transfers.size() >= maxRequests) {
      refuse(r.requestId(), WireMessage.Error.BUSY, "at most " + maxRequests + " requests at once");
      return;
    }
    SegmentRef ref = r.ref();
    Optional<byte[]> bytes =
        streams.contains(ref.stream()) ? source.segment(ref) : Optional.empty();
    if (bytes.isEmpty() || bytes.get().length == 0) {
      refuse(r.requestId(), WireMessage.Error.NOT_FOUND, "not held: " + ref);
      return;
    }
    transfers.put(r.requestId(), new Transfer(r.requestId(), bytes.get()));
    pump();
  }

  private void refuse(long requestId, int code, String text) {
    counters.requestsRefused++;
    sink.send(codec.encode(new WireMessage.Error(requestId, code, text)));
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
    int offset;

    Transfer(long requestId, byte[] bytes) {
      this.requestId = requestId;
      this.bytes = bytes;
    }
  }
}
