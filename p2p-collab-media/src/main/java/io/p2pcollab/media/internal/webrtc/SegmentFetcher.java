package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentAssembler;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Expected;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a {@link WebRtcViewer} gets its segments: the choice of source (the first open neighbour that
 * claims the segment and has not failed it, else the origin for a {@code load}), a deadline on every
 * REQUEST, and the judging of every answer against what the Media Server published and what the
 * neighbour claimed. A neighbour whose answer is bad, or belies its claims (NOT_FOUND for what it
 * still claims, no answer within {@link WebRtcViewer#REQUEST_DEADLINE}), is reported once through
 * the {@link Testimony} and cut; one that delivered is vouched for in the next {@code servedBy}.
 *
 * <p>Threading: confined to the viewer's executor.
 */
final class SegmentFetcher {

  private static final Logger log = LoggerFactory.getLogger(SegmentFetcher.class);

  /** What the fetcher needs of its viewer; on the executor. */
  interface Host {
    /** Whether the viewer has closed. */
    boolean closed();

    /** A REQUEST goes to {@code n}: its link is in use. */
    void asking(ViewerNeighbour n);

    /** {@code n} was cut for misbehaving while serving {@code stream}: time to find fresh peers. */
    void cut(ViewerNeighbour n, String stream);

    /** Where {@code ref} is on the origin. */
    URI originUrl(SegmentRef ref);
  }

  private final Timers timers;
  private final Executor executor;
  private final Collection<ViewerNeighbour> neighbours;
  private final Testimony testimony;
  private final HttpClient http;
  private final Host host;
  private final List<Fetch> waiting = new ArrayList<>();
  /** Every fetch under way, wherever it is: failed on close. */
  private final Set<Fetch> live = new HashSet<>();
  private long nextRequestId = 1;
  private boolean dispatching;
  private boolean again;

  /**
   * @param timers deadlines on the viewer's executor
   * @param executor the viewer's executor, where HTTP answers are handed back
   * @param neighbours the viewer's neighbours, a live view in the order they were taken on
   * @param http the client for the origin, or null without one
   */
  SegmentFetcher(Timers timers, Executor executor, Collection<ViewerNeighbour> neighbours, Testimony testimony,
      HttpClient http, Host host) {
    this.timers = timers;
    this.executor = executor;
    this.neighbours = neighbours;
    this.testimony = testimony;
    this.http = http;
    this.host = host;
  }

  /** Starts {@code f}'s deadline. */
  void arm(Fetch f, Duration timeout) {
    live.add(f);
    f.deadline = timers.after(timeout, () -> fail(f, "nobody delivered " + f.ref + " within " + timeout));
  }

  /** {@code f} knows what to expect now: off to the neighbours (and the origin). */
  void begin(Fetch f, Expected expected) {
    f.expected = expected;
    waiting.add(f);
    dispatch();
  }

  /** Fails {@code f} before it started. */
  static void reject(Fetch f, String why) {
    f.result.completeExceptionally(new WebRtcViewer.FetchException(why));
  }

  /**
   * Starts a {@code load}: its statement from {@code st}, read from {@code origin} first if it is
   * not known yet; no statement, no fetch.
   */
  void load(Fetch f, SegmentStatements st, Duration timeout, URI origin) {
    arm(f, timeout);
    Optional<Expected> known = st.expected(f.ref);
    if (known.isPresent()) {
      begin(f, known.get());
      return;
    }
    st.refresh(http, origin, executor, () -> {
      if (f.result.isDone()) {
        return;
      }
      Optional<Expected> e = st.expected(f.ref);
      if (e.isPresent()) {
        begin(f, e.get());
      } else {
        fail(f, "the Media Server published no " + (st.info().isSigned() ? "verified signature" : "hash") + " for " + f.ref);
      }
    });
  }

  /** Fails every fetch under way (the viewer closes). */
  void failAll(String why) {
    for (Fetch f : new ArrayList<>(live)) {
      fail(f, why);
    }
  }

  /**
   * Sends every waiting fetch to an open neighbour that announced its segment and has not failed
   * it; a {@code load} that no neighbour can serve goes to the origin.
   */
  void dispatch() {
    if (host.closed()) {
      return;
    }
    if (dispatching) {
      again = true; // a send closed a link meanwhile and put a fetch back: one more round
      return;
    }
    dispatching = true;
    try {
      do {
        again = false;
        List<Fetch> toOrigin = new ArrayList<>();
        for (Fetch f : new ArrayList<>(waiting)) {
          ViewerNeighbour source = sourceFor(f);
          if (source != null) {
            waiting.remove(f);
            ask(source, f);
          } else if (f.httpFallback) {
            waiting.remove(f);
            toOrigin.add(f);
          }
        }
        toOrigin.forEach(this::fromOrigin);
      } while (again && !host.closed());
    } finally {
      dispatching = false;
    }
  }

  /** The first open neighbour that claims {@code f}'s segment and has not failed it, or null. */
  private ViewerNeighbour sourceFor(Fetch f) {
    for (ViewerNeighbour n : neighbours) {
      if (n.link.isOpen() && !f.failed.contains(n.id) && n.claims(f.ref.stream()).contains(f.ref)) {
        return n;
      }
    }
    return null;
  }

  /** REQUESTs {@code f}'s segment of {@code n}, which must answer within {@link WebRtcViewer#REQUEST_DEADLINE}. */
  private void ask(ViewerNeighbour n, Fetch f) {
    long id = nextRequestId;
    nextRequestId = nextRequestId == 0xFFFFFFFFL ? 1 : nextRequestId + 1;
    f.requestId = id;
    f.from = n;
    f.answered = false;
    f.assembler = new SegmentAssembler(id, WebRtcViewer.MAX_SEGMENT_BYTES);
    f.answerDeadline = timers.after(WebRtcViewer.REQUEST_DEADLINE, () -> {
      if (f.from == n && f.requestId == id && !f.answered && !f.result.isDone()) {
        misbehaved(n, f, ReportReason.NO_ANSWER,
            "claimed " + f.ref + " and did not answer its REQUEST within " + WebRtcViewer.REQUEST_DEADLINE);
      }
    });
    host.asking(n);
    n.request(f, id);
  }

  /** GETs {@code f}'s segment from the origin; the bytes must match the statement all the same. */
  private void fromOrigin(Fetch f) {
    URI url = host.originUrl(f.ref);
    Origin.get(http, url, executor, (bytes, error) -> {
      if (f.result.isDone()) {
        return;
      }
      if (error != null) {
        fail(f, "GET " + url + ": " + error);
      } else if (!f.expected.matches(bytes)) {
        fail(f, "GET " + url + " does not match what the Media Server published (a broken cache?)");
      } else {
        succeed(f, bytes, null);
      }
    });
  }

  private void succeed(Fetch f, byte[] segment, PeerId from) {
    live.remove(f);
    f.deadline.cancel();
    f.clearRequest();
    if (from != null) {
      testimony.delivered(from);
    }
    f.result.complete(new WebRtcViewer.Loaded(segment, from));
  }

  void fail(Fetch f, String why) {
    if (f.result.isDone()) {
      return;
    }
    live.remove(f);
    waiting.remove(f);
    if (f.from != null) {
      f.from.cancel(f.requestId);
    }
    f.clearRequest();
    if (f.deadline != null) {
      f.deadline.cancel();
    }
    f.result.completeExceptionally(new WebRtcViewer.FetchException(why));
  }

  /** {@code f} is not coming from {@code n}: ask another neighbour (or the origin). */
  void elsewhere(ViewerNeighbour n, Fetch f) {
    n.downloads.remove(f.requestId);
    f.failed.add(n.id);
    f.clearRequest();
    if (host.closed()) {
      fail(f, "viewer closed");
    } else if (!f.result.isDone()) {
      waiting.add(f);
      dispatch();
    }
  }

  /**
   * {@code n} sent bad data for {@code f}, or lied about holding it: drop every byte of it, cut and
   * block the peer, report it (once), ask the Tracker for fresh peers, and get the segment elsewhere.
   */
  private void misbehaved(ViewerNeighbour n, Fetch f, ReportReason reason, String detail) {
    log.info("cut {}: {}", n.id, detail);
    n.downloads.remove(f.requestId);
    testimony.report(n.id, f.ref.stream(), reason);
    n.link.close(detail); // its other downloads go elsewhere too
    host.cut(n, f.ref.stream());
    elsewhere(n, f);
  }

  /** A chunk from {@code n} answering {@code f}. */
  void chunk(ViewerNeighbour n, Fetch f, WireMessage.Data d) {
    f.answered = true;
    long expectedLength = f.expected.length();
    if (f.assembler.received() == 0 && expectedLength >= 0 && d.totalLength() != expectedLength) {
      misbehaved(n, f, ReportReason.WRONG_LENGTH,
          "announced " + d.totalLength() + " bytes for " + f.ref + ", the signed length is " + expectedLength);
      return;
    }
    boolean complete;
    try {
      complete = f.assembler.accept(d);
    } catch (P2pCollabException e) {
      misbehaved(n, f, ReportReason.PROTOCOL_VIOLATION, "broke the wire protocol answering " + f.ref + ": " + e.getMessage());
      return;
    }
    if (!complete) {
      return;
    }
    byte[] segment = f.assembler.segment();
    if (!f.expected.matches(segment)) {
      misbehaved(n, f, ReportReason.BAD_SEGMENT, "sent " + f.ref + " that does not match what the Media Server published");
      return;
    }
    n.downloads.remove(d.requestId());
    succeed(f, segment, n.id);
  }

  /** An ERROR from {@code n} answering {@code f}: a refusal, or a lie ({@link Claims}). */
  void refused(ViewerNeighbour n, Fetch f, WireMessage.Error e) {
    f.answered = true;
    if (e.code() == WireMessage.Error.NOT_FOUND && Claims.notFoundIsALie(n.claims(f.ref.stream()), f.ref)) {
      misbehaved(n, f, ReportReason.NOT_FOUND, "claimed " + f.ref + " and answered NOT_FOUND for it");
      return;
    }
    log.debug("{} refused {}: {} {}", n.id, f.ref, e.code(), e.message());
    elsewhere(n, f);
  }
}
