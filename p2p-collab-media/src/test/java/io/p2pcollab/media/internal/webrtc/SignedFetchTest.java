package io.p2pcollab.media.internal.webrtc;

import static io.p2pcollab.media.internal.webrtc.FetcherFixture.delivered;
import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentSigner;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.media.internal.webrtc.FetcherFixture.FakeLink;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Expected;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A signed stream's statements come with its segments (docs/protocol.md §2.7, §6.4), and the Java
 * viewer holds every answer to them, on fake links and a manual clock: a neighbour's answer must
 * start with a STATEMENT that verifies under the stream's key for the segment asked and agrees
 * with any statement known — else {@code bad-segment}; DATA before it, a second one, or one for a
 * request never sent is {@code protocol-violation}; one for a request cancelled is ignored. The
 * origin's {@code P2P-Collab-Statement} header is held to the same, a broken cache failing the
 * load; without it the origin is trusted. Statements that verified are kept for later checks. An
 * unsigned stream has no statements: any it is sent mean nothing.
 */
class SignedFetchTest {

  private static final SegmentSigner KEY = SegmentSigner.fromSeed(filled(1));
  private static final SegmentSigner STRANGER = SegmentSigner.fromSeed(filled(2));
  private static final URI ORIGIN = URI.create("http://origin.invalid/");
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final FetcherFixture fx = new FetcherFixture(11);
  private final SegmentStatements st = new SegmentStatements(StreamInfo.standardSigned("main", KEY.publicKey()));
  private final byte[] one = fx.bytes(30_000);
  private final byte[] two = fx.bytes(40_000);
  /** Other bytes for segment 2, as long: what a liar sends. */
  private final byte[] forgedTwo = fx.bytes(40_000);
  private final SegmentSignature signedTwo = KEY.sign(seg(2), two);

  // --- from neighbours

  @Test
  void aLoad_asksANeighbourWithNoStatementKnown_andTrustsAndKeepsTheStatementItSends() {
    FakeLink n = fx.neighbour(seg(1), seg(2));
    Fetch f = load(seg(2));
    assertThat(n.requests()).as("asked at once: the statement comes with the segment").hasSize(1);

    answer(n, signedTwo, two);

    assertThat(delivered(f).from()).isEqualTo(n.id);
    assertThat(delivered(f).bytes()).isEqualTo(two);
    assertThat(st.expected(seg(2))).hasValue(Expected.of(signedTwo));
    assertThat(fx.toCoordinator).isEmpty();
  }

  @Test
  void aStatementThatDoesNotVerify_isBadSegment_beforeAnyByteIsTaken_andTheSegmentIsAskedElsewhere() {
    FakeLink liar = fx.neighbour(seg(2));
    FakeLink superPeer = fx.superPeer(seg(2));
    Fetch f = load(seg(2));
    long asked = liar.lastRequest().requestId();

    liar.answer(new WireMessage.Statement(asked, STRANGER.sign(seg(2), two))); // right bytes, wrong key

    assertThat(fx.toCoordinator).containsExactly(new SignalMessage.Report(liar.id, "main", "bad-segment"));
    assertThat(liar.closedFor).contains("does not verify");
    assertThat(st.expected(seg(2))).as("nothing learned from a forgery").isEmpty();
    liar.deliver(asked, two); // whatever follows is not looked at
    answer(superPeer, signedTwo, two);
    assertThat(delivered(f).from()).isEqualTo(superPeer.id);
  }

  @Test
  void aGenuineStatementOfAnotherSegment_doesNotVerifyForThisOne() {
    FakeLink liar = fx.neighbour(seg(2));
    load(seg(2));

    liar.answer(new WireMessage.Statement(liar.lastRequest().requestId(), KEY.sign(seg(3), two)));

    assertThat(fx.toCoordinator).containsExactly(new SignalMessage.Report(liar.id, "main", "bad-segment"));
  }

  @Test
  void aStatementContradictingTheOneTheCallerGave_isBadSegment() {
    FakeLink liar = fx.neighbour(seg(2));
    Fetch f = fetch(seg(2), signedTwo);

    // signed by the stream's key, yet about other bytes: it may not replace the one in hand
    answer(liar, KEY.sign(seg(2), forgedTwo), forgedTwo);

    assertThat(fx.toCoordinator).containsExactly(new SignalMessage.Report(liar.id, "main", "bad-segment"));
    assertThat(liar.closedFor).contains("contradicts");
    assertThat(f.result).isNotDone();
  }

  @Test
  void aStatementLearnedOnce_holdsEveryLaterAnswerForThatSegment() {
    FakeLink first = fx.neighbour(seg(2));
    Fetch earlier = load(seg(2));
    answer(first, signedTwo, two);
    assertThat(delivered(earlier).from()).isEqualTo(first.id);
    FakeLink second = fx.neighbour(seg(2));
    first.close("went away");

    Fetch again = load(seg(2));
    answer(second, KEY.sign(seg(2), forgedTwo), forgedTwo); // signed by the key, yet not what was learned

    assertThat(fx.toCoordinator).containsExactly(new SignalMessage.Report(second.id, "main", "bad-segment"));
    assertThat(again.result).isNotDone();
  }

  @Test
  void dataBeforeTheStatement_isAProtocolViolation() {
    FakeLink n = fx.neighbour(seg(2));
    Fetch f = load(seg(2));

    n.deliver(n.lastRequest().requestId(), two); // genuine bytes, but no statement

    assertThat(fx.toCoordinator).containsExactly(new SignalMessage.Report(n.id, "main", "protocol-violation"));
    assertThat(n.closedFor).contains("before its STATEMENT");
    assertThat(f.result).isNotDone();
  }

  @Test
  void aSecondStatementForOneRequest_isAProtocolViolation() {
    FakeLink n = fx.neighbour(seg(2));
    load(seg(2));
    long asked = n.lastRequest().requestId();

    n.answer(new WireMessage.Statement(asked, signedTwo));
    n.answer(new WireMessage.Statement(asked, signedTwo));

    assertThat(fx.toCoordinator).containsExactly(new SignalMessage.Report(n.id, "main", "protocol-violation"));
  }

  @Test
  void aStatementForARequestNeverSent_isAProtocolViolation() {
    FakeLink n = fx.neighbour(seg(2));

    n.answer(new WireMessage.Statement(7, signedTwo));

    assertThat(fx.toCoordinator).containsExactly(new SignalMessage.Report(n.id, "main", "protocol-violation"));
    assertThat(n.closedFor).contains("never sent");
  }

  @Test
  void aStatementForARequestCancelled_isIgnored_likeItsChunks() {
    FakeLink busy = fx.neighbour(seg(1), seg(2));
    FakeLink superPeer = fx.superPeer(seg(1), seg(2));
    Fetch first = load(seg(1));
    Fetch second = load(seg(2)); // a regular neighbour first, two outstanding at most: both to it
    long cancelled = busy.requests().get(1).requestId();
    fx.timers.advance(Duration.ofSeconds(1));
    answer(busy, busy.requests().get(0).requestId(), KEY.sign(seg(1), one), one);
    fx.timers.advance(Duration.ofSeconds(4)); // the second's deadline: it serves us, slowly
    assertThat(busy.cancels()).containsExactly(cancelled);

    answer(busy, cancelled, signedTwo, two); // in flight when the CANCEL left

    assertThat(fx.toCoordinator).isEmpty();
    assertThat(busy.closedFor).isNull();
    assertThat(delivered(first).from()).isEqualTo(busy.id);
    answer(superPeer, signedTwo, two);
    assertThat(delivered(second).from()).isEqualTo(superPeer.id);
  }

  @Test
  void aStatementAndThenNothing_byTheRequestDeadline_isNoAnswer() {
    FakeLink n = fx.neighbour(seg(2));
    load(seg(2)); // 20 s to go: the REQUEST gets 5 s
    n.answer(new WireMessage.Statement(n.lastRequest().requestId(), signedTwo));

    fx.timers.advance(Duration.ofMillis(4999));
    assertThat(fx.toCoordinator).isEmpty();
    fx.timers.advance(Duration.ofMillis(1));

    assertThat(fx.toCoordinator).as("no DATA and no ERROR: silence")
        .containsExactly(new SignalMessage.Report(n.id, "main", "no-answer"));
  }

  @Test
  void aFirstChunkAnnouncingAnotherLengthThanTheStatement_isWrongLength() {
    FakeLink n = fx.neighbour(seg(2));
    load(seg(2));
    long asked = n.lastRequest().requestId();

    n.answer(new WireMessage.Statement(asked, signedTwo));
    n.answer(new WireMessage.Data(asked, two.length + 1, 0, Arrays.copyOf(two, WireMessage.MAX_PAYLOAD)));

    assertThat(fx.toCoordinator).containsExactly(new SignalMessage.Report(n.id, "main", "wrong-length"));
  }

  @Test
  void bytesThatDoNotMatchTheStatement_areBadSegment_andNeverHandedOut() {
    FakeLink n = fx.neighbour(seg(2));
    Fetch f = load(seg(2));

    answer(n, signedTwo, forgedTwo);

    assertThat(fx.toCoordinator).containsExactly(new SignalMessage.Report(n.id, "main", "bad-segment"));
    assertThat(f.result).isNotDone();
  }

  @Test
  void anUnsignedStream_ignoresStatements_andChecksItsHash() {
    FakeLink n = fx.neighbour(seg(2));
    SegmentStatements unsigned = new SegmentStatements(StreamInfo.standard("main"));
    Fetch f = new Fetch(seg(2), false);
    fx.fetcher.arm(f, TIMEOUT);
    fx.fetcher.begin(f, unsigned, new Expected(-1, Hashes.sha256Hex(two)));
    long asked = n.lastRequest().requestId();

    n.answer(new WireMessage.Statement(asked, STRANGER.sign(seg(2), forgedTwo)));
    n.answer(new WireMessage.Statement(asked, STRANGER.sign(seg(2), forgedTwo)));
    n.deliver(asked, two);

    assertThat(delivered(f).bytes()).isEqualTo(two);
    assertThat(fx.toCoordinator).isEmpty();
  }

  // --- from the origin

  @Test
  void theOriginsStatementHeader_isVerified_andKept() {
    Fetch f = load(seg(2)); // no neighbour: over HTTP at once

    fromOrigin(two, signedTwo.toEntryJson());

    assertThat(delivered(f).from()).isNull();
    assertThat(delivered(f).bytes()).isEqualTo(two);
    assertThat(st.expected(seg(2))).hasValue(Expected.of(signedTwo));
  }

  @Test
  void aStatementHeaderThatDoesNotVerify_failsTheLoad_asABrokenCache() {
    Fetch f = load(seg(2));

    fromOrigin(two, STRANGER.sign(seg(2), two).toEntryJson());

    assertFailedAsABrokenCache(f, "does not verify");
    assertThat(st.expected(seg(2))).isEmpty();
  }

  @Test
  void aMalformedStatementHeader_failsTheLoad() {
    Fetch f = load(seg(2));

    fromOrigin(two, "{\"length\":40000}");

    assertFailedAsABrokenCache(f, "malformed");
  }

  @Test
  void aGenuineStatementHeader_withOtherBytes_failsTheLoad() {
    Fetch f = load(seg(2));

    fromOrigin(forgedTwo, signedTwo.toEntryJson());

    assertFailedAsABrokenCache(f, "does not match");
  }

  @Test
  void aStatementHeaderContradictingTheStatementKnown_failsTheLoad() {
    assertThat(st.admit(seg(2), signedTwo, null)).isEqualTo(SegmentStatements.Verdict.TRUSTED);
    Fetch f = load(seg(2));

    fromOrigin(forgedTwo, KEY.sign(seg(2), forgedTwo).toEntryJson());

    assertFailedAsABrokenCache(f, "contradicts");
  }

  @Test
  void withoutTheHeader_andNoStatementKnown_theOriginIsTrusted() {
    Fetch f = load(seg(2));

    fromOrigin(two, null); // a CDN that strips the header

    assertThat(delivered(f).bytes()).isEqualTo(two);
    assertThat(st.expected(seg(2))).as("nothing verified, nothing learned").isEmpty();
  }

  @Test
  void withoutTheHeader_butAStatementKnown_theBytesMustMatchIt() {
    assertThat(st.admit(seg(2), signedTwo, null)).isEqualTo(SegmentStatements.Verdict.TRUSTED);
    Fetch f = load(seg(2));

    fromOrigin(forgedTwo, null);

    assertFailedAsABrokenCache(f, "does not match");
  }

  @Test
  void anUnsignedStreamsHeader_meansNothing_itsHashIsChecked() {
    SegmentStatements unsigned = new SegmentStatements(StreamInfo.standard("main"));
    Fetch f = new Fetch(seg(2), true);
    fx.fetcher.arm(f, TIMEOUT);
    fx.fetcher.begin(f, unsigned, new Expected(-1, Hashes.sha256Hex(two)));

    fromOrigin(two, STRANGER.sign(seg(2), forgedTwo).toEntryJson());

    assertThat(delivered(f).bytes()).isEqualTo(two);
  }

  // ---

  private static SegmentRef seg(long n) {
    return new SegmentRef("main", "0", n);
  }

  private static byte[] filled(int b) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) b);
    return seed;
  }

  /** A {@code load} of the signed stream, needed within 20 s. */
  private Fetch load(SegmentRef ref) {
    Fetch f = new Fetch(ref, true);
    fx.fetcher.load(f, st, TIMEOUT, ORIGIN);
    return f;
  }

  /** A neighbours-only {@code fetch} with the statement {@code given}. */
  private Fetch fetch(SegmentRef ref, SegmentSignature given) {
    Fetch f = new Fetch(ref, false);
    fx.fetcher.fetchSigned(f, st, given, TIMEOUT);
    assertThat(f.result).as("the given statement verifies").isNotDone();
    return f;
  }

  /** {@code n} answers its latest REQUEST: {@code statement}, then {@code segment}. */
  private static void answer(FakeLink n, SegmentSignature statement, byte[] segment) {
    answer(n, n.lastRequest().requestId(), statement, segment);
  }

  private static void answer(FakeLink n, long requestId, SegmentSignature statement, byte[] segment) {
    n.answer(new WireMessage.Statement(requestId, statement));
    n.deliver(requestId, segment);
  }

  /** The origin answers the GET of segment 2 with 200, {@code body} and the statement header {@code header}. */
  private void fromOrigin(byte[] body, String header) {
    assertThat(fx.origin).containsOnlyKeys(seg(2));
    fx.origin.remove(seg(2)).accept(new Origin.Answer(body, header), null);
  }

  private static void assertFailedAsABrokenCache(Fetch f, String why) {
    assertThat(f.result).isCompletedExceptionally();
    assertThat(f.result.handle((ok, e) -> e).join())
        .isInstanceOf(WebRtcViewer.FetchException.class)
        .hasMessageContaining(why)
        .hasMessageContaining("broken cache");
  }
}
