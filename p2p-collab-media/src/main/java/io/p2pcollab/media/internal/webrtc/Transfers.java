package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentAssembler;
import io.p2pcollab.core.TransferProgress;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Expected;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REQUESTs a {@link SegmentFetcher} sends to neighbours, and the judging of what comes of
 * each: its pace against its request deadline, its answer against the statement and the claim.
 *
 * <p>For a signed stream an answer is a STATEMENT, then DATA (docs/protocol.md §2.7). The STATEMENT
 * must verify under the stream's key and agree with any statement known for the segment ({@link
 * SegmentStatements#admit}, which keeps it): otherwise {@code bad-segment}. DATA before it, or a
 * second one, is {@code protocol-violation}. The trusted statement is then what the chunks are held
 * to. An unsigned stream's answers are held to its published hash; a STATEMENT there is ignored.
 *
 * <ul>
 *   <li>A REQUEST sent at {@code now} for a segment needed at {@code f.needed} must be complete by
 *       {@code requestDeadline(now, f.needed)}.
 *   <li>{@code transferBehind} judges it whenever a chunk arrives and at least every {@link
 *       FetchPolicy#progressSample()} (the last judgment falls on the request deadline itself).
 *       Behind with bytes in, or with any answer of the neighbour's to our other requests since
 *       (it is serving us, slowly): CANCEL, a late strike ({@link SourceRecords}), and the segment
 *       asked elsewhere at once. Nothing reported: slowness is no lie.
 *   <li>Behind with nothing at all from the neighbour since the REQUEST, which can only be at the
 *       deadline: {@code no-answer}. A forged STATEMENT is {@code bad-segment}, a first chunk
 *       announcing another length than the signed one {@code wrong-length}, chunks that break the
 *       wire protocol {@code protocol-violation}, bytes that do not match {@code bad-segment},
 *       NOT_FOUND for what its HAVE still claims ({@link Claims}) {@code not-found}: each
 *       reported once, the neighbour cut, the segment asked elsewhere.
 *   <li>Completed and verified on time: the neighbour's strikes are cleared and its throughput
 *       sampled.
 * </ul>
 *
 * <p>Threading: confined to the viewer's executor.
 */
final class Transfers {

  private static final Logger log = LoggerFactory.getLogger(Transfers.class);

  /** What becomes of a fetch once its REQUEST is over; on the executor. */
  interface Outcome {
    /** {@code f} arrived from {@code from} and matches its statement. */
    void delivered(Fetch f, byte[] segment, PeerId from);

    /** {@code f} is not coming from {@code n} (refused, fell behind, or {@code n} was cut): ask elsewhere. */
    void elsewhere(ViewerNeighbour n, Fetch f);
  }

  private final Timers timers;
  private final FetchPolicy policy;
  private final SourceRecords records;
  private final Testimony testimony;
  private final SegmentFetcher.Host host;
  private final Outcome outcome;
  private long nextRequestId = 1;

  Transfers(Timers timers, FetchPolicy policy, SourceRecords records, Testimony testimony, SegmentFetcher.Host host,
      Outcome outcome) {
    this.timers = timers;
    this.policy = policy;
    this.records = records;
    this.testimony = testimony;
    this.host = host;
    this.outcome = outcome;
  }

  /** REQUESTs {@code f}'s segment of {@code n}, by the request deadline the scheduler gives. */
  void ask(ViewerNeighbour n, Fetch f, Instant now) {
    long id = nextRequestId;
    nextRequestId = nextRequestId == 0xFFFFFFFFL ? 1 : nextRequestId + 1;
    f.requestId = id;
    f.from = n;
    f.assembler = new SegmentAssembler(id, WebRtcViewer.MAX_SEGMENT_BYTES);
    f.requestedAt = now;
    f.requestDeadline = policy.scheduler().requestDeadline(now, f.needed);
    f.answersAtSend = n.answers;
    f.stated = false;
    watch(n, f, id, now);
    host.asking(n);
    n.request(f, id);
  }

  /** Judges {@code f}'s transfer from {@code n} again after the progress sample, or at its deadline if sooner. */
  private void watch(ViewerNeighbour n, Fetch f, long id, Instant now) {
    Duration left = Duration.between(now, f.requestDeadline);
    Duration next = policy.progressSample().isZero() || left.compareTo(policy.progressSample()) < 0
        ? left : policy.progressSample();
    f.pace = timers.after(next.isNegative() ? Duration.ZERO : next, () -> {
      if (f.from == n && f.requestId == id && !f.result.isDone() && !judge(n, f, timers.now())) {
        watch(n, f, id, timers.now());
      }
    });
  }

  /** Judges {@code f}'s transfer from {@code n} now: true if it fell behind (and is over). */
  boolean judge(ViewerNeighbour n, Fetch f, Instant now) {
    // A super-peer is judged by its deadline only: the alternative, the origin, is the same host,
    // so cutting its transfer for pace throws away what arrived and gains nothing.
    boolean behind = n.superPeer ? !now.isBefore(f.requestDeadline) : behind(f, now);
    if (!behind) {
      return false;
    }
    fellBehind(n, f, now);
    return true;
  }

  private boolean behind(Fetch f, Instant now) {
    long received = f.assembler.received();
    long total = received > 0 ? f.assembler.totalLength() : f.expectedLength();
    Instant lastChunk = f.lastChunkAt != null ? f.lastChunkAt : f.requestedAt;
    return policy.scheduler().transferBehind(new TransferProgress(f.requestedAt, lastChunk, now, f.requestDeadline, received, total));
  }

  /**
   * {@code f}'s transfer from {@code n} fell behind its deadline: silence is a broken claim;
   * anything else is slowness — CANCEL, a late strike, and the segment asked elsewhere at once.
   */
  private void fellBehind(ViewerNeighbour n, Fetch f, Instant now) {
    long received = f.assembler.received();
    Duration took = Duration.between(f.requestedAt, now);
    if (received == 0 && n.answers == f.answersAtSend) {
      n.cancel(f.requestId); // CANCEL at the deadline (§2.3), whatever comes of the neighbour then
      misbehaved(n, f, ReportReason.NO_ANSWER, "claimed " + f.ref + " and sent nothing within its request deadline ("
          + Duration.between(f.requestedAt, f.requestDeadline).toMillis() + " ms)");
      return;
    }
    records.late(n.id, now, received, took);
    log.info("cancelled {} from {} after {} ms, {} of {} bytes in: behind its request deadline ({} ms); late strike {}",
        f.ref, n.id, took.toMillis(), received, Math.max(0, f.assembler.totalLength()),
        Duration.between(f.requestedAt, f.requestDeadline).toMillis(), records.lateStrikes(n.id, now));
    n.cancel(f.requestId);
    outcome.elsewhere(n, f);
  }

  /**
   * {@code n} sent bad data for {@code f}, or lied about holding it: drop every byte of it, cut and
   * block the peer, report it (once), ask the Tracker for fresh peers, and get the segment elsewhere.
   */
  private void misbehaved(ViewerNeighbour n, Fetch f, ReportReason reason, String detail) {
    n.downloads.remove(f.requestId);
    cut(n, f.ref.stream(), reason, detail);
    outcome.elsewhere(n, f);
  }

  /**
   * Cuts {@code n} for {@code reason}: reported (once) in {@code stream}, its link closed (its
   * downloads go elsewhere), blocked for the viewer's life, and fresh peers asked for.
   */
  void cut(ViewerNeighbour n, String stream, ReportReason reason, String detail) {
    log.info("cut {}: {}", n.id, detail);
    testimony.report(n.id, stream, reason);
    n.link.close(detail);
    host.cut(n, stream);
  }

  /**
   * A STATEMENT from {@code n} answering {@code f}: for a signed stream the first message of every
   * answer, trusted only if it verifies and agrees with what is known; ignored for an unsigned one.
   */
  void statement(ViewerNeighbour n, Fetch f, WireMessage.Statement s) {
    if (!f.signed()) {
      return; // an unsigned stream has no statements: nothing to check it against, nothing it changes
    }
    if (f.stated) {
      misbehaved(n, f, ReportReason.PROTOCOL_VIOLATION, "sent a second STATEMENT answering " + f.ref);
      return;
    }
    switch (f.statements.admit(f.ref, s.signature(), f.expected)) {
      case FORGED -> misbehaved(n, f, ReportReason.BAD_SEGMENT,
          "sent a STATEMENT for " + f.ref + " that does not verify under the stream's key");
      case CONTRADICTED -> misbehaved(n, f, ReportReason.BAD_SEGMENT,
          "sent a STATEMENT for " + f.ref + " that contradicts the verified one known");
      case TRUSTED -> {
        f.stated = true;
        f.expected = Expected.of(s.signature());
      }
    }
  }

  /** A chunk from {@code n} answering {@code f}. */
  void chunk(ViewerNeighbour n, Fetch f, WireMessage.Data d) {
    if (f.signed() && !f.stated) {
      misbehaved(n, f, ReportReason.PROTOCOL_VIOLATION, "sent DATA for " + f.ref + " before its STATEMENT");
      return;
    }
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
    Instant now = timers.now();
    f.lastChunkAt = now;
    if (!complete) {
      judge(n, f, now);
      return;
    }
    byte[] segment = f.assembler.segment();
    if (!f.expected.matches(segment)) {
      misbehaved(n, f, ReportReason.BAD_SEGMENT, "sent " + f.ref + " that does not match its statement");
      return;
    }
    Duration took = Duration.between(f.requestedAt, now);
    if (now.isAfter(f.requestDeadline)) {
      records.late(n.id, now, segment.length, took); // delivered, but after its deadline: still a strike
    } else {
      records.onTime(n.id, segment.length, took);
    }
    n.downloads.remove(d.requestId());
    outcome.delivered(f, segment, n.id);
  }

  /** An ERROR from {@code n} answering {@code f}: a refusal, or a lie ({@link Claims}). */
  void refused(ViewerNeighbour n, Fetch f, WireMessage.Error e) {
    if (e.code() == WireMessage.Error.NOT_FOUND && Claims.notFoundIsALie(n.claims(f.ref.stream()), f.ref)) {
      misbehaved(n, f, ReportReason.NOT_FOUND, "claimed " + f.ref + " and answered NOT_FOUND for it");
      return;
    }
    log.debug("{} refused {}: {} {}", n.id, f.ref, e.code(), e.message());
    outcome.elsewhere(n, f);
  }
}
