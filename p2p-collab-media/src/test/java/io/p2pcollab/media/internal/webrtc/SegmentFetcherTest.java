package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.core.testing.ManualClock;
import io.p2pcollab.media.internal.webrtc.FetcherFixture.FakeLink;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Expected;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Java viewer's fetching, on fake links and a manual clock: sources chosen by the shared
 * scheduler, request deadlines, transfers judged by their pace, late strikes and demotion; and the
 * claim checks — a neighbour is asked only for what it claims, and one whose answers belie its
 * claims (NOT_FOUND for a segment it still claims, or nothing at all by the request deadline) is
 * reported once and cut. A NOT_FOUND its moving window explains, a BUSY, or a slow transfer is no
 * lie.
 *
 * <p>Segments here are 40 000 bytes of an unsigned stream whose length is known; a fetch has 20 s
 * unless said otherwise, so each REQUEST gets 5 s (the standard clamp of 1–5 s). A signed stream's
 * statements, which come with its segments, are {@link SignedFetchTest}'s.
 */
class SegmentFetcherTest {

  private static final SegmentRef INIT = SegmentRef.init("main", "0");
  private static final Duration SAMPLE = Duration.ofMillis(250);
  /** How long a transfer must have stalled before its pace is judged (SchedulerConfig.minProgressSample). */
  private static final Duration QUIET = Duration.ofMillis(500);

  private final FetcherFixture fx = new FetcherFixture(5);
  private final ManualClock clock = fx.clock;
  private final ManualTimers timers = fx.timers;
  private final List<SignalMessage> toCoordinator = fx.toCoordinator;
  private final Testimony testimony = fx.testimony;
  private final List<String> cuts = fx.cuts;
  /** GETs sent to the origin, answered by the test. */
  private final Map<SegmentRef, BiConsumer<Origin.Answer, String>> origin = fx.origin;
  private final SegmentFetcher fetcher = fx.fetcher;
  private final byte[] two = fx.bytes(40_000);

  // --- claims

  @Test
  void notFound_forASegmentItStillClaims_isReportedOnce_andTheSegmentIsAskedElsewhere() {
    FakeLink a = neighbour(seg(1), seg(2), seg(3), seg(4), seg(5), seg(6));
    FakeLink b = neighbour(seg(1), seg(2), seg(3), seg(4), seg(5), seg(6));
    Fetch f = fetch(seg(5)); // 4 older segments claimed: it cannot have just slid out
    FakeLink liar = asked(a, b);
    FakeLink honest = liar == a ? b : a;

    liar.answer(new WireMessage.Error(liar.lastRequest().requestId(), WireMessage.Error.NOT_FOUND, "not held"));

    assertThat(toCoordinator).containsExactly(new SignalMessage.Report(liar.id, "main", "not-found"));
    assertThat(liar.closedFor).contains("NOT_FOUND");
    assertThat(cuts).containsExactly("main"); // fresh peers are asked for
    honest.deliver(honest.lastRequest().requestId(), two);
    assertThat(delivered(f).from()).isEqualTo(honest.id);
    assertThat(testimony.takeServedBy()).containsExactly(honest.id);
  }

  @Test
  void notFound_forOneOfTheFourOldestSegmentsClaimed_mayBeTheWindowMovingOn_notALie() {
    FakeLink a = neighbour(seg(2), seg(3), seg(4), seg(5), seg(6), seg(7));
    FakeLink b = neighbour(seg(2), seg(3), seg(4), seg(5), seg(6), seg(7));
    fetch(seg(5)); // 3 older: a server whose HAVE follows its evictions late may have dropped it
    FakeLink sliding = asked(a, b);
    FakeLink other = sliding == a ? b : a;

    sliding.answer(new WireMessage.Error(sliding.lastRequest().requestId(), WireMessage.Error.NOT_FOUND, "gone"));

    assertThat(toCoordinator).isEmpty();
    assertThat(sliding.closedFor).isNull();
    assertThat(other.lastRequest().ref()).isEqualTo(seg(5));
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
    FakeLink a = neighbour(seg(1), seg(2));
    FakeLink b = neighbour(seg(1), seg(2));
    fetch(seg(2));
    FakeLink busy = asked(a, b);
    FakeLink other = busy == a ? b : a;

    busy.answer(new WireMessage.Error(busy.lastRequest().requestId(), WireMessage.Error.BUSY, "full"));

    assertThat(toCoordinator).isEmpty();
    assertThat(other.requests()).hasSize(1);
  }

  @Test
  void nothingAtAllByTheRequestDeadline_isReportedNoAnswer_andTheSegmentIsAskedElsewhere() {
    FakeLink a = neighbour(seg(1), seg(2));
    FakeLink b = neighbour(seg(1), seg(2));
    Fetch f = fetch(seg(2));
    FakeLink silent = asked(a, b);
    FakeLink honest = silent == a ? b : a;

    timers.advance(Duration.ofMillis(4999)); // 20 s to go: the REQUEST gets 5 s
    assertThat(toCoordinator).isEmpty();
    assertThat(honest.requests()).isEmpty();
    timers.advance(Duration.ofMillis(1));

    assertThat(toCoordinator).containsExactly(new SignalMessage.Report(silent.id, "main", "no-answer"));
    assertThat(silent.cancels()).as("CANCEL at the deadline, then the cut").containsExactly(silent.lastRequest().requestId());
    assertThat(silent.closedFor).contains("sent nothing");
    honest.deliver(honest.lastRequest().requestId(), two);
    assertThat(delivered(f).bytes()).isEqualTo(two);
  }

  @Test
  void theRequestDeadline_isThePlaybackDeadlineWhenThatIsWithin1To5s() {
    FakeLink silent = neighbour(seg(1), seg(2));
    fetch(seg(2), Duration.ofSeconds(2));

    timers.advance(Duration.ofMillis(1999));
    assertThat(toCoordinator).isEmpty();
    timers.advance(Duration.ofMillis(1));

    assertThat(toCoordinator).containsExactly(new SignalMessage.Report(silent.id, "main", "no-answer"));
  }

  @Test
  void silence_whileTheNeighbourServesOurOtherRequest_isLateness_notALie() {
    FakeLink busy = neighbour(seg(1), seg(2));
    FakeLink superPeer = superPeer(seg(1), seg(2));
    Fetch first = fetch(seg(1));
    Fetch second = fetch(seg(2)); // a regular neighbour first, two outstanding at most: both to it
    assertThat(busy.requests()).extracting(WireMessage.Request::ref).containsExactly(seg(1), seg(2));

    timers.advance(Duration.ofSeconds(1));
    busy.deliver(busy.requests().get(0).requestId(), two); // it serves the first and never starts the second
    timers.advance(Duration.ofSeconds(4));

    assertThat(delivered(first).from()).isEqualTo(busy.id);
    assertThat(toCoordinator).isEmpty();
    assertThat(busy.closedFor).isNull();
    assertThat(busy.cancels()).containsExactly(busy.requests().get(1).requestId());
    assertThat(fetcher.records().lateStrikes(busy.id, clock.instant())).isEqualTo(1);
    superPeer.deliver(superPeer.lastRequest().requestId(), two);
    assertThat(delivered(second).from()).isEqualTo(superPeer.id);
  }

  @Test
  void anAnsweredRequest_leavesNoDeadlineBehind() {
    FakeLink n = neighbour(seg(1), seg(2));
    Fetch f = fetch(seg(2));
    n.deliver(n.lastRequest().requestId(), two);

    timers.advance(Duration.ofMinutes(1));

    assertThat(f.result).isCompleted();
    assertThat(toCoordinator).isEmpty();
    assertThat(n.cancels()).isEmpty();
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

  // --- choosing the source

  @Test
  void aRegularNeighbour_isAskedBeforeTheSuperPeer() {
    FakeLink superPeer = superPeer(seg(1));
    FakeLink regular = neighbour(seg(1));

    fetch(seg(1));

    assertThat(regular.requests()).hasSize(1);
    assertThat(superPeer.requests()).isEmpty();
  }

  @Test
  void aNeighbourHasAtMostTwoRequestsOutstanding_aThirdWaitsUntilOneEnds() {
    FakeLink n = neighbour(seg(1), seg(2), seg(3));
    Fetch first = fetch(seg(1));
    fetch(seg(2));
    Fetch third = fetch(seg(3));
    assertThat(n.requests()).extracting(WireMessage.Request::ref).containsExactly(seg(1), seg(2));

    n.deliver(n.requests().get(0).requestId(), two);

    assertThat(first.result).isCompleted();
    assertThat(n.lastRequest().ref()).as("asked at once, not at the next tick").isEqualTo(seg(3));
    assertThat(third.result).isNotDone();
  }

  @Test
  void aFetch_waitsForANeighbourThatAnnouncesTheSegment() {
    FakeLink n = neighbour(seg(1));
    Fetch f = fetch(seg(2));
    timers.advance(Duration.ofSeconds(3));
    assertThat(n.requests()).isEmpty();

    n.answer(WireMessage.Have.of("main", List.of(seg(1), seg(2))));

    n.deliver(n.lastRequest().requestId(), two);
    assertThat(delivered(f).from()).isEqualTo(n.id);
  }

  @Test
  void aLoad_waitsWhileANeighbourMayAnnounce_andGoesToTheOrigin1sBeforeItsDeadline() {
    neighbour(seg(1));
    Fetch f = load(seg(2), Duration.ofSeconds(10));

    timers.advance(Duration.ofMillis(8999));
    assertThat(origin).isEmpty();
    timers.advance(Duration.ofMillis(1));
    assertThat(origin).containsOnlyKeys(seg(2));

    origin.get(seg(2)).accept(new Origin.Answer(two, null), null);
    assertThat(delivered(f).from()).as("over HTTP").isNull();
  }

  @Test
  void aLoad_withNoNeighbourOpen_goesToTheOriginAtOnce() {
    Fetch f = load(seg(2), Duration.ofSeconds(10));

    assertThat(origin).containsOnlyKeys(seg(2));
    origin.get(seg(2)).accept(new Origin.Answer(bytes(40_000), null), null);
    assertThat(f.result).as("bytes that do not match are never handed out").isCompletedExceptionally();
  }

  @Test
  void aNeighbourPredictedLate_isAskedAfterOneThatIsNot() {
    FakeLink a = neighbour(seg(1), seg(2), seg(3), seg(4), seg(5));
    FakeLink b = neighbour(seg(1), seg(2), seg(3), seg(4), seg(5));
    Fetch first = fetch(seg(1));
    FakeLink slow = asked(a, b);
    FakeLink fast = slow == a ? b : a;
    long asked = slow.lastRequest().requestId();
    for (int i = 0; i < 40; i++) { // on time, at a steady 1 000 bytes per 100 ms: all in 3.9 s
      if (i > 0) {
        timers.advance(Duration.ofMillis(100));
      }
      slow.answer(chunk(asked, i * 1000, 1000));
    }
    assertThat(delivered(first).from()).isEqualTo(slow.id);
    assertThat(fetcher.records().bytesPerSecond(slow.id)).as("40 000 bytes in 3.9 s").isEqualTo(10_256);

    for (long n = 2; n <= 5; n++) {
      Fetch f = fetch(seg(n), Duration.ofSeconds(3)); // 4 s at its pace: predicted late
      fast.deliver(fast.lastRequest().requestId(), two);
      assertThat(delivered(f).from()).isEqualTo(fast.id);
    }
    assertThat(slow.requests()).hasSize(1);
  }

  // --- pace, strikes, demotion

  @Test
  void aTransferThatStalledAndFellBehind_isCancelled_andAskedElsewhereAtOnce_unreported() {
    FakeLink slow = neighbour(seg(1), seg(2));
    FakeLink superPeer = superPeer(seg(1), seg(2));
    Fetch f = fetch(seg(2));
    long asked = slow.lastRequest().requestId();
    slow.answer(chunk(asked, 0, 2000));
    timers.advance(SAMPLE);
    slow.answer(chunk(asked, 2000, 100)); // still flowing: a slow start is not judged
    timers.advance(SAMPLE);
    assertThat(slow.cancels()).isEmpty();

    timers.advance(SAMPLE); // 500 ms quiet; 2 100 in 750 ms: 13.5 s more, 4 250 ms left

    assertThat(slow.cancels()).containsExactly(asked);
    assertThat(superPeer.lastRequest().ref()).isEqualTo(seg(2));
    assertThat(fetcher.records().lateStrikes(slow.id, clock.instant())).isEqualTo(1);
    assertThat(fetcher.records().bytesPerSecond(slow.id)).as("2 100 bytes in 750 ms").isEqualTo(2_800);
    assertThat(toCoordinator).isEmpty();
    assertThat(slow.closedFor).isNull();
    slow.answer(chunk(asked, 2100, 100)); // after the CANCEL: ignored
    superPeer.deliver(superPeer.lastRequest().requestId(), two);
    assertThat(delivered(f).from()).isEqualTo(superPeer.id);
  }

  @Test
  void aTransferThatStalls_isJudgedEvery250ms_notOnlyWhenAChunkArrives() {
    FakeLink slow = neighbour(seg(1), seg(2));
    FakeLink superPeer = superPeer(seg(1), seg(2));
    fetch(seg(2));
    long asked = slow.lastRequest().requestId();
    slow.answer(chunk(asked, 0, 1000));

    timers.advance(QUIET.minusMillis(1));
    assertThat(slow.cancels()).isEmpty();
    timers.advance(Duration.ofMillis(1)); // 1 000 in 500 ms, nothing since: 19.5 s more, 4 500 ms left

    assertThat(slow.cancels()).containsExactly(asked);
    assertThat(superPeer.requests()).hasSize(1);
    assertThat(toCoordinator).isEmpty();
  }

  @Test
  void aRegularNeighbourThatFellBehindTwice_isAskedForNothingMore() {
    FakeLink slow = neighbour(seg(1), seg(2), seg(3), seg(4), seg(5));
    FakeLink superPeer = superPeer(seg(1), seg(2), seg(3), seg(4), seg(5));
    for (long n = 1; n <= 2; n++) {
      Fetch f = fetch(seg(n));
      assertThat(slow.lastRequest().ref()).as("regular first").isEqualTo(seg(n));
      slow.answer(chunk(slow.lastRequest().requestId(), 0, 1000));
      timers.advance(QUIET);
      superPeer.deliver(superPeer.lastRequest().requestId(), two);
      assertThat(delivered(f).from()).isEqualTo(superPeer.id);
    }
    assertThat(fetcher.records().lateStrikes(slow.id, clock.instant())).isEqualTo(2);

    for (long n = 3; n <= 5; n++) {
      Fetch f = fetch(seg(n));
      superPeer.deliver(superPeer.lastRequest().requestId(), two);
      assertThat(delivered(f).from()).isEqualTo(superPeer.id);
    }
    assertThat(slow.requests()).hasSize(2);
    assertThat(slow.closedFor).as("demoted, not cut").isNull();
    assertThat(toCoordinator).as("slowness is never reported").isEmpty();
  }

  @Test
  void aSuperPeer_isNeverDemoted() {
    FakeLink superPeer = superPeer(seg(1), seg(2), seg(3));
    for (long n = 1; n <= 2; n++) {
      fetch(seg(n));
      superPeer.answer(chunk(superPeer.lastRequest().requestId(), 0, 1000));
      timers.advance(QUIET);
      timers.advance(Duration.ofSeconds(5)); // its request deadline
    }
    assertThat(fetcher.records().lateStrikes(superPeer.id, clock.instant())).isEqualTo(2);

    fetch(seg(3));

    assertThat(superPeer.lastRequest().ref()).isEqualTo(seg(3));
  }

  @Test
  void aTransferOnTime_doesNotClearTheStrikes_theyAreForgottenAfterAMinute() {
    FakeLink slow = neighbour(seg(1), seg(2), seg(3));
    FakeLink superPeer = superPeer(seg(1), seg(2), seg(3));
    fetch(seg(1));
    slow.answer(chunk(slow.lastRequest().requestId(), 0, 1000));
    timers.advance(QUIET);
    superPeer.deliver(superPeer.lastRequest().requestId(), two);
    assertThat(fetcher.records().lateStrikes(slow.id, clock.instant())).isEqualTo(1);

    Fetch f = fetch(seg(2));
    timers.advance(Duration.ofMillis(100));
    slow.deliver(slow.lastRequest().requestId(), two);

    assertThat(delivered(f).from()).isEqualTo(slow.id);
    assertThat(fetcher.records().lateStrikes(slow.id, clock.instant())).as("a small segment on time clears nothing").isEqualTo(1);
    clock.advance(SourceRecords.STRIKE_MEMORY);
    assertThat(fetcher.records().lateStrikes(slow.id, clock.instant())).isZero();
  }

  @Test
  void strikes_outliveAReconnect() {
    FakeLink slow = neighbour(seg(1), seg(2), seg(3));
    FakeLink superPeer = superPeer(seg(1), seg(2), seg(3));
    for (long n = 1; n <= 2; n++) {
      fetch(seg(n));
      slow.answer(chunk(slow.lastRequest().requestId(), 0, 1000));
      timers.advance(QUIET);
      superPeer.deliver(superPeer.lastRequest().requestId(), two);
    }
    slow.close("went away");

    FakeLink again = neighbour(slow.id, false, seg(1), seg(2), seg(3));
    fetch(seg(3));

    assertThat(again.requests()).isEmpty();
    assertThat(superPeer.lastRequest().ref()).isEqualTo(seg(3));
  }

  // ---

  private static SegmentRef seg(long n) {
    return new SegmentRef("main", "0", n);
  }

  private byte[] bytes(int n) {
    return fx.bytes(n);
  }

  /** {@code length} bytes of {@link #two} from {@code offset}, answering {@code requestId}. */
  private WireMessage.Data chunk(long requestId, int offset, int length) {
    return new WireMessage.Data(requestId, two.length, offset, Arrays.copyOfRange(two, offset, offset + length));
  }

  /** A fetch of {@code ref}, expected to be {@link #two}, with 20 s to complete. */
  private Fetch fetch(SegmentRef ref) {
    return fetch(ref, Duration.ofSeconds(20));
  }

  private Fetch fetch(SegmentRef ref, Duration timeout) {
    Fetch f = new Fetch(ref, false);
    fetcher.arm(f, timeout);
    fetcher.begin(f, null, new Expected(two.length, Hashes.sha256Hex(two)));
    return f;
  }

  /** A {@code load}: over HTTP when the scheduler says so. */
  private Fetch load(SegmentRef ref, Duration timeout) {
    Fetch f = new Fetch(ref, true);
    fetcher.arm(f, timeout);
    fetcher.begin(f, null, new Expected(two.length, Hashes.sha256Hex(two)));
    return f;
  }

  private static WebRtcViewer.Loaded delivered(Fetch f) {
    return FetcherFixture.delivered(f);
  }

  /** The one of {@code links} that was sent a REQUEST. */
  private static FakeLink asked(FakeLink... links) {
    List<FakeLink> asked = Stream.of(links).filter(l -> !l.requests().isEmpty()).toList();
    assertThat(asked).as("neighbours asked").hasSize(1);
    return asked.get(0);
  }

  private FakeLink neighbour(SegmentRef... claims) {
    return fx.neighbour(claims);
  }

  private FakeLink superPeer(SegmentRef... claims) {
    return fx.superPeer(claims);
  }

  private FakeLink neighbour(PeerId id, boolean superPeer, SegmentRef... claims) {
    return fx.neighbour(id, superPeer, claims);
  }
}
