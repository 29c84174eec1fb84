package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SourceDecision;
import io.p2pcollab.core.SourceInput;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Expected;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Verdict;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * How a {@link WebRtcViewer} gets its segments, by the shared rules of {@link
 * io.p2pcollab.core.SegmentScheduler} (docs/protocol.md §5.1). A fetch's <em>playback deadline</em>
 * ({@code needed}) is when the caller's timeout runs out, failing it. Its source is {@code
 * chooseSource} over the open neighbours — what each claims (HAVE), its requests outstanding, its
 * failures for this segment, its late strikes and throughput ({@link SourceRecords}) — and the
 * segment's signed length once a statement is known (0 before: a signed stream's statement comes
 * with the segment, docs/protocol.md §2.7):
 *
 * <ul>
 *   <li>PEER: REQUEST it there; {@link Transfers} gives the request its deadline and judges its
 *       pace and its answer.
 *   <li>WAIT: decide again when something changes (a neighbour announces, a request ends, a link
 *       closes) or at the instant given.
 *   <li>HTTP: the origin for a {@code load}; a {@code fetch} (neighbours only) keeps waiting for a
 *       neighbour that can deliver, until its timeout.
 * </ul>
 *
 * Whatever a neighbour did wrong, the segment is asked elsewhere, and that neighbour (one failure
 * for this segment) is not asked for it again; one that delivered is vouched for in the next
 * {@code servedBy}.
 *
 * <p>What the origin answers is checked too ({@link Origin#refusal}): bytes or a statement header
 * that do not agree with what the Media Server published fail the fetch as a broken cache.
 *
 * <p>Threading: confined to the viewer's executor.
 */
final class SegmentFetcher {

  /** What the fetcher needs of its viewer; on the executor. */
  interface Host {
    /** Whether the viewer has closed. */
    boolean closed();

    /** A REQUEST goes to {@code n}: its link is in use. */
    void asking(ViewerNeighbour n);

    /** {@code n} was cut for misbehaving while serving {@code stream}: time to find fresh peers. */
    void cut(ViewerNeighbour n, String stream);

    /**
     * GETs {@code ref} from the origin; {@code done} gets, on the executor, the answer to a 200
     * (body and statement header) or an error text ({@link Origin#get}).
     */
    void fromOrigin(SegmentRef ref, BiConsumer<Origin.Answer, String> done);
  }

  private final Timers timers;
  private final Executor executor;
  private final Collection<ViewerNeighbour> neighbours;
  private final Testimony testimony;
  private final HttpClient http;
  private final FetchPolicy policy;
  private final Host host;
  private final SourceRecords records = new SourceRecords();
  private final Transfers transfers;
  private final List<Fetch> waiting = new ArrayList<>();
  /** Every fetch under way, wherever it is: failed on close. */
  private final Set<Fetch> live = new HashSet<>();
  private boolean dispatching;
  private boolean again;

  /**
   * @param timers deadlines on the viewer's executor, and the time
   * @param executor the viewer's executor, where HTTP answers are handed back
   * @param neighbours the viewer's neighbours, a live view in the order they were taken on
   * @param http the client for the origin, or null without one
   */
  SegmentFetcher(Timers timers, Executor executor, Collection<ViewerNeighbour> neighbours, Testimony testimony,
      HttpClient http, FetchPolicy policy, Host host) {
    this.timers = timers;
    this.executor = executor;
    this.neighbours = neighbours;
    this.testimony = testimony;
    this.http = http;
    this.policy = policy;
    this.host = host;
    this.transfers = new Transfers(timers, policy, records, testimony, host, new Transfers.Outcome() {
      @Override
      public void delivered(Fetch f, byte[] segment, PeerId from) {
        succeed(f, segment, from);
      }

      @Override
      public void elsewhere(ViewerNeighbour n, Fetch f) {
        SegmentFetcher.this.elsewhere(n, f);
      }
    });
  }

  /** What was learned of each peer as a source (strikes, throughput). */
  SourceRecords records() {
    return records;
  }

  /** Starts {@code f}'s timeout: it must be in hand then (its playback deadline). */
  void arm(Fetch f, Duration timeout) {
    live.add(f);
    f.needed = timers.now().plus(timeout);
    f.deadline = timers.after(timeout, () -> expire(f, timeout));
  }

  /**
   * {@code f}'s timeout ran out. A transfer under way is judged as it stands first — often its
   * request deadline is this very instant — so a neighbour that fell behind gets its strike, and
   * one that said nothing is reported, though the fetch is over.
   */
  private void expire(Fetch f, Duration timeout) {
    if (f.from != null) {
      transfers.judge(f.from, f, timers.now());
    }
    fail(f, "nobody delivered " + f.ref + " within " + timeout);
  }

  /**
   * {@code f} is off to the neighbours (and the origin).
   *
   * @param st the stream's statements; null for an unsigned stream not joined yet
   * @param expected what the segment must be; null for a signed stream whose statement is not
   *     known yet (the first answer brings it)
   */
  void begin(Fetch f, SegmentStatements st, Expected expected) {
    f.statements = st;
    f.expected = expected;
    waiting.add(f);
    dispatch();
  }

  /** Fails {@code f} before it started. */
  private static void reject(Fetch f, String why) {
    f.result.completeExceptionally(new WebRtcViewer.FetchException(why));
  }

  /**
   * Starts a {@code load} of a segment of {@code st} (null: not joined, no fetch). A signed stream's
   * statement comes with the segment: asked at once, with what is known if anything. An unsigned
   * stream's hash is read from {@code origin}'s {@code hashes.json} first if it is not known yet;
   * no hash, no fetch.
   */
  void load(Fetch f, SegmentStatements st, Duration timeout, URI origin) {
    if (st == null) {
      reject(f, "stream " + f.ref.stream() + " was not joined");
      return;
    }
    arm(f, timeout);
    Optional<Expected> known = st.expected(f.ref);
    if (known.isPresent() || st.info().isSigned()) {
      begin(f, st, known.orElse(null));
      return;
    }
    st.refresh(http, origin, executor, () -> {
      if (f.result.isDone()) {
        return;
      }
      Optional<Expected> e = st.expected(f.ref);
      if (e.isPresent()) {
        begin(f, st, e.get());
      } else {
        fail(f, "the Media Server published no hash for " + f.ref);
      }
    });
  }

  /** Starts a neighbours-only fetch of a segment of the unsigned stream {@code st} (null: not joined yet). */
  void fetchUnsigned(Fetch f, SegmentStatements st, Expected expected, Duration timeout) {
    if (st != null && st.info().isSigned()) {
      reject(f, f.ref.stream() + " is signed: fetch its segments with their signed entries");
      return;
    }
    arm(f, timeout);
    begin(f, st, expected);
  }

  /**
   * Starts a neighbours-only fetch of a segment of the signed stream {@code st}, if {@code signed}
   * verifies and agrees with any statement kept: every neighbour's STATEMENT must then agree with it.
   */
  void fetchSigned(Fetch f, SegmentStatements st, SegmentSignature signed, Duration timeout) {
    if (st == null || st.verifier().isEmpty()) {
      reject(f, f.ref.stream() + " is not a joined signed stream");
      return;
    }
    Verdict v = st.admit(f.ref, signed, null);
    if (v != Verdict.TRUSTED) {
      reject(f, "the entry given for " + f.ref + (v == Verdict.FORGED
          ? " does not verify under the stream's key" : " contradicts the verified statement known"));
    } else {
      arm(f, timeout);
      begin(f, st, Expected.of(signed));
    }
  }

  /** Fails every fetch under way (the viewer closes). */
  void failAll(String why) {
    for (Fetch f : new ArrayList<>(live)) {
      fail(f, why);
    }
  }

  /**
   * Asks the scheduler where each waiting fetch should go now, and sends it there. Called whenever
   * that may have changed: a fetch begins, a neighbour announces, a request ends, a WAIT is over.
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
          if (!waiting.contains(f)) {
            continue; // sent, or over, meanwhile
          }
          Instant now = timers.now();
          SourceDecision d = policy.scheduler().chooseSource(input(f, now));
          switch (d.action()) {
            case PEER -> {
              waiting.remove(f);
              f.clearWake();
              transfers.ask(neighbour(d.peer()), f, now);
            }
            case WAIT -> wakeAt(f, d.until(), now);
            case HTTP -> {
              if (f.httpFallback) {
                waiting.remove(f);
                f.clearWake();
                toOrigin.add(f);
              } // else a fetch: neighbours only, it waits for one that can deliver until its timeout
            }
          }
        }
        toOrigin.forEach(this::fromOrigin);
      } while (again && !host.closed());
    } finally {
      dispatching = false;
    }
  }

  /** The scheduler's view of {@code f}'s segment now: every open neighbour, and the signed length. */
  private SourceInput input(Fetch f, Instant now) {
    List<SourceInput.Neighbour> open = new ArrayList<>();
    for (ViewerNeighbour n : neighbours) {
      if (n.link.isOpen()) {
        open.add(new SourceInput.Neighbour(n.id, n.superPeer, n.claims(f.ref.stream()).contains(f.ref),
            n.downloads.size(), f.failures(n.id), records.lateStrikes(n.id, now), records.bytesPerSecond(n.id)));
      }
    }
    return new SourceInput(f.ref, open, now, f.needed, f.expectedLength());
  }

  private ViewerNeighbour neighbour(PeerId id) {
    for (ViewerNeighbour n : neighbours) {
      if (n.id.equals(id)) {
        return n;
      }
    }
    throw new IllegalStateException("the scheduler chose " + id + ", which is no neighbour");
  }

  /** The scheduler said WAIT until {@code until}: decide again then, unless something changes first. */
  private void wakeAt(Fetch f, Instant until, Instant now) {
    if (until.equals(f.wakeAt)) {
      return;
    }
    f.clearWake();
    f.wakeAt = until;
    f.wake = timers.after(Duration.between(now, until), () -> {
      f.wake = null;
      f.wakeAt = null;
      dispatch();
    });
  }

  /** GETs {@code f}'s segment from the origin; the bytes must match the statement all the same. */
  private void fromOrigin(Fetch f) {
    host.fromOrigin(f.ref, (answer, error) -> {
      if (f.result.isDone()) {
        return;
      }
      if (error != null) {
        fail(f, error);
        return;
      }
      Optional<String> refused = Origin.refusal(f, answer);
      if (refused.isPresent()) {
        fail(f, f.ref + " from the origin " + refused.get() + " (a broken cache?)");
      } else {
        succeed(f, answer.body(), null);
      }
    });
  }


  private void succeed(Fetch f, byte[] segment, PeerId from) {
    live.remove(f);
    f.deadline.cancel();
    f.clearRequest();
    f.clearWake();
    if (from != null) {
      testimony.delivered(from);
    }
    f.result.complete(new WebRtcViewer.Loaded(segment, from));
    dispatch(); // a request ended: its neighbour may take a waiting one
  }

  void fail(Fetch f, String why) {
    if (f.result.isDone()) {
      return;
    }
    live.remove(f);
    waiting.remove(f);
    ViewerNeighbour asked = f.from;
    if (asked != null) {
      asked.cancel(f.requestId);
    }
    f.clearRequest();
    f.clearWake();
    if (f.deadline != null) {
      f.deadline.cancel();
    }
    f.result.completeExceptionally(new WebRtcViewer.FetchException(why));
    if (asked != null) {
      dispatch();
    }
  }

  /** {@code f} is not coming from {@code n}: it counts as a failure of {@code n}'s for it; ask elsewhere. */
  void elsewhere(ViewerNeighbour n, Fetch f) {
    n.downloads.remove(f.requestId);
    f.failures.merge(n.id, 1, Integer::sum);
    f.clearRequest();
    if (host.closed()) {
      fail(f, "viewer closed");
    } else if (!f.result.isDone() && timers.now().isBefore(f.needed)) {
      waiting.add(f);
      dispatch();
    } // else its timeout runs out now: nowhere else to ask
  }

  /** A chunk from {@code n} answering {@code f}. */
  void chunk(ViewerNeighbour n, Fetch f, WireMessage.Data d) {
    transfers.chunk(n, f, d);
  }

  /** A STATEMENT from {@code n} answering {@code f}. */
  void statement(ViewerNeighbour n, Fetch f, WireMessage.Statement s) {
    transfers.statement(n, f, s);
  }

  /**
   * {@code n} broke the wire protocol or flooded us outside any one fetch: reported in the stream
   * it was listed for, cut and blocked like a neighbour that lied about a segment.
   */
  void cut(ViewerNeighbour n, ReportReason reason, String detail) {
    transfers.cut(n, n.stream, reason, detail);
  }

  /** An ERROR from {@code n} answering {@code f}. */
  void refused(ViewerNeighbour n, Fetch f, WireMessage.Error e) {
    transfers.refused(n, f, e);
  }
}
