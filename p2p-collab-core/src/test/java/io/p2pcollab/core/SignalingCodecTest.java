package io.p2pcollab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.gson.JsonObject;
import io.p2pcollab.core.SignalMessage.Error;
import io.p2pcollab.core.SignalMessage.Hello;
import io.p2pcollab.core.SignalMessage.Join;
import io.p2pcollab.core.SignalMessage.Joined;
import io.p2pcollab.core.SignalMessage.Leave;
import io.p2pcollab.core.SignalMessage.PeerLeft;
import io.p2pcollab.core.SignalMessage.Peers;
import io.p2pcollab.core.SignalMessage.PeersRequest;
import io.p2pcollab.core.SignalMessage.Role;
import io.p2pcollab.core.SignalMessage.Signal;
import io.p2pcollab.core.SignalMessage.SignalKind;
import io.p2pcollab.core.SignalMessage.State;
import io.p2pcollab.core.SignalMessage.Welcome;
import io.p2pcollab.core.testing.Fixtures;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SignalingCodecTest {

  private static final PeerId A = new PeerId("q3L0xYz9AbCdEfGhIjKlMn");
  private static final PeerId B = new PeerId("b_-9Zz8Yy7Xx6Ww5Vv4Uu3");
  private static final PeerId SP = new PeerId("SPsuperpeer0000000000A");
  private static final StreamInfo MAIN = StreamInfo.standard("main");
  private static final String SDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

  private final SignalingCodec codec = SignalingCodec.json();

  /** What each valid fixture must decode to: catches fields that round-trip but map wrongly. */
  private static final Map<String, SignalMessage> EXPECTED = new LinkedHashMap<>();

  static {
    EXPECTED.put("hello-viewer", Hello.viewer());
    EXPECTED.put("hello-super-peer-with-token", new Hello(Role.SUPER_PEER, "grant.eyJzdWIiOiJzcCJ9.sig"));
    EXPECTED.put("hello-unicode-token", new Hello(Role.VIEWER, "café ✓ \uD83C\uDFA5"));
    EXPECTED.put("join", new Join("main"));
    EXPECTED.put(
        "state",
        new State(
            new PeerState(
                List.of(new StreamHolding("main", 3, 42), new StreamHolding("cam.q3L0", 0, -1)), 4)));
    EXPECTED.put(
        "state-served-by",
        new State(new PeerState(List.of(new StreamHolding("main", 3, 42)), 4), List.of(B, SP)));
    EXPECTED.put("state-nothing-held", new State(new PeerState(List.of(), 0)));
    EXPECTED.put("peers-request", new PeersRequest("main", 5));
    EXPECTED.put("peers-request-default-max", new PeersRequest("main", 0));
    EXPECTED.put("signal-offer-to", Signal.sdp(SP, SignalKind.OFFER, SDP));
    EXPECTED.put("signal-answer-from", Signal.sdp(B, SignalKind.ANSWER, SDP).relayedFrom(SP));
    EXPECTED.put(
        "signal-candidate-to",
        Signal.candidate(
            B, new IceCandidate("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "0", 0)));
    EXPECTED.put(
        "signal-end-of-candidates-from",
        new Signal(null, A, SignalKind.CANDIDATE, null, new IceCandidate("", null, 0)));
    EXPECTED.put("leave", new Leave());
    EXPECTED.put("report-bad-segment", new SignalMessage.Report(B, "main", "bad-segment"));
    EXPECTED.put(
        "welcome",
        new Welcome(
            A,
            List.of(
                IceServer.of("stun:stun.example.org:3478"),
                new IceServer(
                    List.of("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"),
                    "user",
                    "pass")),
            Duration.ofSeconds(1),
            List.of(MAIN)));
    EXPECTED.put("welcome-minimal", new Welcome(A, List.of(), Duration.ofMillis(250), List.of()));
    EXPECTED.put(
        "joined", new Joined(MAIN, List.of(new PeerEntry(SP, true), new PeerEntry(B, false))));
    EXPECTED.put("joined-no-peers", new Joined(MAIN, List.of()));
    EXPECTED.put(
        "joined-signed",
        new Joined(
            StreamInfo.standard("main").signed("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "/live/main/signatures.json"),
            List.of(new PeerEntry(SP, true))));
    EXPECTED.put("peers", new Peers("main", List.of(new PeerEntry(B, false))));
    EXPECTED.put("peers-empty", new Peers("main", List.of()));
    EXPECTED.put("peer-left", new PeerLeft(B, "main"));
    EXPECTED.put(
        "error",
        new Error(ErrorCode.UNKNOWN_PEER, "no peer \"b_-9Zz8Yy7Xx6Ww5Vv4Uu3\" \\ registered", "signal"));
    PeerId q = new PeerId("BBBBBBBBBBBBBBBBBBBBBB");
    PeerId p = new PeerId("AAAAAAAAAAAAAAAAAAAAAA");
    EXPECTED.put("contribute-with-token", new SignalMessage.Contribute("cam.alice", "eyJ2IjoxfQ.c2ln"));
    EXPECTED.put("contribute-asking-an-operator", new SignalMessage.Contribute("cam-bob", null));
    EXPECTED.put("contribute-stop", new SignalMessage.ContributeStop("cam-bob"));
    EXPECTED.put(
        "contribution-granted-to-contributor",
        new SignalMessage.Contribution("cam.alice", SignalMessage.ContributionStatus.GRANTED, null, q, null));
    EXPECTED.put(
        "contribution-granted-to-super-peer",
        new SignalMessage.Contribution("cam.alice", SignalMessage.ContributionStatus.GRANTED, p, null, null));
    EXPECTED.put(
        "contribution-revoked-with-reason",
        new SignalMessage.Contribution(
            "cam.alice", SignalMessage.ContributionStatus.REVOKED, null, null, "revoked by an operator"));
    EXPECTED.put(
        "contribution-pending",
        new SignalMessage.Contribution("cam-bob", SignalMessage.ContributionStatus.PENDING, null, null, null));
    EXPECTED.put(
        "stream-added-signed",
        new SignalMessage.StreamAdded(
            StreamInfo.standard("cam.alice").signed("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "/live/cam.alice/signatures.json")));
    EXPECTED.put("stream-removed", new SignalMessage.StreamRemoved("cam.alice"));
    EXPECTED.put(
        "error-stream-taken", new Error(ErrorCode.STREAM_TAKEN, "stream 'main' is live already", "contribute"));
    EXPECTED.put("error-no-ref", new Error(ErrorCode.RATE_LIMITED, "too many messages", null));
  }

  static Stream<JsonObject> valid() {
    return Fixtures.section("signaling.json", "valid").stream();
  }

  static Stream<JsonObject> lenient() {
    return Fixtures.section("signaling.json", "lenient").stream();
  }

  static Stream<JsonObject> invalid() {
    return Fixtures.section("signaling.json", "invalid").stream();
  }

  @Test
  void fixtures_coverEveryMessageType_andEveryExpectation() {
    List<String> names = valid().map(f -> f.get("name").getAsString()).toList();
    assertThat(names).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
    assertThat(EXPECTED.values().stream().<Class<?>>map(Object::getClass).distinct())
        .containsExactlyInAnyOrder(
            Hello.class, Join.class, State.class, PeersRequest.class, Signal.class, Leave.class,
            Welcome.class, Joined.class, Peers.class, PeerLeft.class, Error.class, SignalMessage.Report.class,
            SignalMessage.Contribute.class, SignalMessage.ContributeStop.class, SignalMessage.Contribution.class,
            SignalMessage.StreamAdded.class, SignalMessage.StreamRemoved.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void validFixture_decodesToExpected_andEncodesBackByteForByte(JsonObject fixture) {
    String frame = fixture.get("frame").getAsString();
    SignalMessage expected = EXPECTED.get(fixture.get("name").getAsString());

    assertThat(codec.decode(frame)).isEqualTo(expected);
    assertThat(codec.encode(expected)).isEqualTo(frame);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lenient")
  void lenientFixture_decodes_andEncodesToCanonical(JsonObject fixture) {
    SignalMessage decoded = codec.decode(fixture.get("frame").getAsString());

    assertThat(codec.encode(decoded)).isEqualTo(fixture.get("canonical").getAsString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidFixture_failsWithItsCode(JsonObject fixture) {
    ErrorCode expected = ErrorCode.valueOf(fixture.get("error").getAsString());

    assertThatThrownBy(() -> codec.decode(fixture.get("frame").getAsString()))
        .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(expected));
  }

  @Test
  void decodeError_carriesTheMessageType_asRef() {
    P2pCollabException e =
        (P2pCollabException) catchThrowable(() -> codec.decode("{\"v\":1,\"type\":\"join\",\"stream\":7}"));

    assertThat(e.ref()).isEqualTo("join");
    assertThat(Error.of(e)).isEqualTo(new Error(ErrorCode.BAD_MESSAGE, "field 'stream' must be a string", "join"));
  }

  @Test
  void frameAtTheLimit_isParsed_oneByteMore_isTooLarge() {
    String head = "{\"v\":1,\"type\":\"leave\",\"pad\":\"";
    String tail = "\"}";
    // 'é' is two UTF-8 bytes: the limit is on bytes, not chars.
    int room = SignalingCodec.MAX_FRAME_BYTES - head.length() - tail.length();
    String atLimit = head + "é".repeat(room / 2) + "x".repeat(room % 2) + tail;
    String over = head + "é".repeat(room / 2) + "x".repeat(room % 2 + 1) + tail;

    assertThat(codec.decode(atLimit)).isEqualTo(new Leave());
    assertThatThrownBy(() -> codec.decode(over))
        .isInstanceOfSatisfying(
            P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
  }

  @Test
  void deepNesting_isBadMessage_notStackOverflow() {
    String deep = "{\"v\":1,\"type\":\"leave\",\"x\":" + "[".repeat(30_000) + "]".repeat(30_000) + "}";

    assertThatThrownBy(() -> codec.decode(deep))
        .isInstanceOfSatisfying(
            P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE));
  }

  @Test
  void null_isBadMessage() {
    assertThatThrownBy(() -> codec.decode(null))
        .isInstanceOfSatisfying(
            P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE));
  }

  @Test
  void garbage_neverThrowsAnythingButP2pCollabException() {
    SplittableRandom random = new SplittableRandom(20251124);
    List<String> seeds =
        Stream.concat(valid(), lenient()).map(f -> f.get("frame").getAsString()).toList();
    String alphabet = "{}[]\":,\\ 01-9.eE+truefalsnul\u00e9\u2028\uD83C\uDFA5vtype";
    int decoded = 0;
    for (int i = 0; i < 30_000; i++) {
      String input =
          switch (i % 3) {
            case 0 -> randomString(random, alphabet, random.nextInt(60));
            case 1 -> mutate(random, seeds.get(random.nextInt(seeds.size())), alphabet);
            default -> randomString(random, null, random.nextInt(40));
          };
      SignalMessage message;
      try {
        message = codec.decode(input);
      } catch (P2pCollabException expected) {
        continue;
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError("decode threw " + e + " for input: " + input, e);
      }
      decoded++;
      // Whatever decodes is a valid message: its canonical form decodes to the same message.
      assertThat(codec.decode(codec.encode(message))).as(input).isEqualTo(message);
    }
    // The mutations must also produce valid frames, or the test only exercised the error paths.
    assertThat(decoded).isGreaterThan(100);
  }

  private static String randomString(SplittableRandom random, String alphabet, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(alphabet == null ? (char) random.nextInt(0x10000) : alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private static String mutate(SplittableRandom random, String seed, String alphabet) {
    StringBuilder sb = new StringBuilder(seed);
    int edits = 1 + random.nextInt(3);
    for (int i = 0; i < edits && sb.length() > 0; i++) {
      int at = random.nextInt(sb.length());
      switch (random.nextInt(4)) {
        case 0 -> sb.deleteCharAt(at);
        case 1 -> sb.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
        case 2 -> sb.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
        default -> sb.setLength(at);
      }
    }
    return sb.toString();
  }
}
