package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSigner;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.core.testing.Fixtures;
import io.p2pcollab.core.testing.ManualClock;
import io.p2pcollab.core.testing.WireFields;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The Java reference peers against the wire-protocol conformance scenarios
 * ({@code fixtures/conformance.json}, docs/protocol.md §2 and §5), as the browser SDK runs them in
 * {@code conformance.test.js}: the peer under test with one link to a scripted tester, on a manual
 * clock that drives every timer. Its {@code about} defines each step and expectation.
 *
 * <p>The super-peer serves and never requests; the Java viewer requests and serves nothing. So a
 * scenario in which the peer holds segments or is asked for them ({@code holds}, {@code
 * sendRequests}) runs against the super-peer ({@link SuperPeerUnderTest}), one in which it fetches
 * ({@code load}) against the viewer ({@link ViewerUnderTest}), and every other against both. The
 * super-peer serves a signed stream, so it answers with STATEMENTs; the viewer's load is of a signed
 * stream when the scenario says {@code signed}, and the tester then answers with STATEMENTs (§2.7).
 */
class ConformanceTest {

  /** The Java peers, by the part they can play in a scenario. */
  enum Peer {
    SUPER_PEER, VIEWER
  }

  /**
   * The runner's stream key: what a signed stream's statements are signed with, by the super-peer's
   * source, by the tester answering a viewer's signed load, and by the viewer's origin.
   */
  static final SegmentSigner STREAM_KEY = SegmentSigner.fromSeed(new byte[32]);

  private static final HexFormat HEX = HexFormat.of();
  private static final String STREAM = "main";
  private static final Set<String> STEPS = Set.of("send", "sendHex", "padTo", "sendRequests", "have", "answer", "load",
      "advanceMs", "offerAgain", "repeat", "steps", "expect");
  private static final Set<String> EXPECTATIONS = Set.of("received", "have", "served", "servedCount", "busyCount", "open",
      "reported");

  @TestFactory
  Stream<DynamicTest> everyScenario_onEveryJavaPeerThatCanPlayIt() {
    return scenarios().flatMap(s -> peersFor(s).stream().map(peer -> dynamicTest(
        s.get("name").getAsString() + " (" + s.get("protocol").getAsString() + ") on the " + peer,
        () -> new Run(s, peer).play())));
  }

  @Test
  void everyPeer_playsSomeScenarios_andNoScenarioIsLeftOut() {
    Map<Peer, List<String>> byPeer = new LinkedHashMap<>();
    scenarios().forEach(s -> peersFor(s).forEach(p -> byPeer.computeIfAbsent(p, k -> new ArrayList<>())
        .add(s.get("name").getAsString())));

    assertThat(byPeer.get(Peer.SUPER_PEER)).contains("have-on-open", "flood-is-cut", "cut-peer-is-not-let-back",
        "statement-before-data");
    assertThat(byPeer.get(Peer.VIEWER)).contains("no-answer-reported", "unknown-type-tolerated", "cut-peer-is-not-let-back",
        "data-without-statement", "forged-statement");
    assertThat(scenarios()).allSatisfy(s -> assertThat(peersFor(s)).as(s.get("name").getAsString()).isNotEmpty());
  }

  private static Stream<JsonObject> scenarios() {
    return Fixtures.section("conformance.json", "scenarios").stream();
  }

  /** Which Java peers can play {@code scenario}'s peer under test. */
  static Set<Peer> peersFor(JsonObject scenario) {
    boolean serves = scenario.has("holds") || anyStep(scenario.getAsJsonArray("steps"), "sendRequests");
    boolean fetches = anyStep(scenario.getAsJsonArray("steps"), "load");
    if (serves && fetches) {
      throw new IllegalStateException(scenario.get("name") + " needs a peer that serves and fetches: no Java peer does both");
    }
    return serves ? EnumSet.of(Peer.SUPER_PEER) : fetches ? EnumSet.of(Peer.VIEWER) : EnumSet.allOf(Peer.class);
  }

  private static boolean anyStep(JsonArray steps, String key) {
    for (JsonElement e : steps) {
      JsonObject st = e.getAsJsonObject();
      if (st.has(key) || (st.has("steps") && anyStep(st.getAsJsonArray("steps"), key))) {
        return true;
      }
    }
    return false;
  }

  /** {@code "0/init"} or {@code "1/7"}: a segment of stream main. */
  static SegmentRef ref(String name) {
    String[] parts = name.split("/");
    return parts[1].equals("init") ? SegmentRef.init(STREAM, parts[0]) : new SegmentRef(STREAM, parts[0], Long.parseLong(parts[1]));
  }

  /** The bytes of a segment as the fixture defines them: byte i = (i * 31 + n) mod 256, n = 0 for init. */
  static byte[] bytesOf(SegmentRef ref, int size) {
    long n = ref.isInit() ? 0 : ref.number();
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) ((i * 31L + n) % 256);
    }
    return b;
  }

  private static int defaultSize(SegmentRef ref) {
    return ref.isInit() ? 600 : 40_000;
  }

  /** Every segment {@code scenario} names, with its bytes; a {@code load}'s at its size. */
  static Map<SegmentRef, byte[]> segmentsOf(JsonObject scenario) {
    Map<SegmentRef, byte[]> out = new LinkedHashMap<>();
    Consumer<String> named = s -> out.computeIfAbsent(ref(s), r -> bytesOf(r, defaultSize(r)));
    if (scenario.has("holds")) {
      scenario.getAsJsonArray("holds").forEach(e -> named.accept(e.getAsString()));
    }
    visit(scenario.getAsJsonArray("steps"), st -> {
      if (st.has("have")) {
        st.getAsJsonArray("have").forEach(e -> named.accept(e.getAsString()));
      }
      if (st.has("sendRequests")) {
        named.accept(st.getAsJsonObject("sendRequests").get("segment").getAsString());
      }
      if (st.has("load")) {
        JsonObject load = st.getAsJsonObject("load");
        SegmentRef r = ref(load.get("segment").getAsString());
        out.put(r, bytesOf(r, load.has("size") ? load.get("size").getAsInt() : defaultSize(r)));
      }
    });
    return out;
  }

  private static void visit(JsonArray steps, Consumer<JsonObject> each) {
    for (JsonElement e : steps) {
      JsonObject st = e.getAsJsonObject();
      each.accept(st);
      if (st.has("steps")) {
        visit(st.getAsJsonArray("steps"), each);
      }
    }
  }

  /** One scenario played against one peer. */
  private static final class Run {
    private final JsonObject scenario;
    private final String what;
    private final ManualClock clock = new ManualClock();
    private final ManualTimers timers = new ManualTimers(clock);
    private final Map<SegmentRef, byte[]> segments;
    private final ConformanceTester tester;
    private final PeerUnderTest put;
    /** How many of the tester's received messages earlier expectations covered. */
    private int seen;
    private long nextRequestId = 1;

    Run(JsonObject scenario, Peer peer) {
      this.scenario = scenario;
      this.segments = segmentsOf(scenario);
      this.tester = new ConformanceTester(PeerId.random(new Random(7)), timers, segments);
      Map<SegmentRef, byte[]> holds = new LinkedHashMap<>();
      if (scenario.has("holds")) {
        scenario.getAsJsonArray("holds").forEach(e -> holds.put(ref(e.getAsString()), segments.get(ref(e.getAsString()))));
      }
      this.put = peer == Peer.SUPER_PEER ? new SuperPeerUnderTest(clock, timers, holds) : new ViewerUnderTest(clock, timers);
      this.what = scenario.get("name").getAsString() + " on the " + put + ": " + scenario.get("why").getAsString();
    }

    void play() {
      put.connect(tester);
      settle();
      assertThat(tester.open()).as("%s: the link opened", what).isTrue();
      run(scenario.getAsJsonArray("steps"));
      timers.advance(Duration.ofSeconds(10)); // fetches still under way end (over HTTP, or at their deadline)
      put.finish();
    }

    /** Lets everything due now happen: messages in flight are delivered, and their answers. */
    private void settle() {
      timers.advance(Duration.ZERO);
    }

    private void run(JsonArray steps) {
      for (JsonElement e : steps) {
        JsonObject st = e.getAsJsonObject();
        assertThat(st.keySet()).as("%s: steps this runner knows", what).isSubsetOf(STEPS);
        if (st.has("repeat")) {
          for (int i = 0; i < st.get("repeat").getAsInt(); i++) {
            run(st.getAsJsonArray("steps"));
          }
          continue;
        }
        if (st.has("send")) {
          tester.send(WireFields.message(st.getAsJsonObject("send")));
        }
        if (st.has("sendHex")) {
          byte[] head = HEX.parseHex(st.get("sendHex").getAsString());
          byte[] message = new byte[Math.max(head.length, st.has("padTo") ? st.get("padTo").getAsInt() : 0)];
          System.arraycopy(head, 0, message, 0, head.length);
          tester.sendBytes(message);
        }
        if (st.has("sendRequests")) {
          JsonObject r = st.getAsJsonObject("sendRequests");
          SegmentRef ref = ref(r.get("segment").getAsString());
          for (int i = 0; i < r.get("count").getAsInt(); i++) {
            tester.send(new WireMessage.Request(nextRequestId++, ref));
          }
        }
        if (st.has("have")) {
          List<SegmentRef> held = new ArrayList<>();
          st.getAsJsonArray("have").forEach(h -> held.add(ref(h.getAsString())));
          tester.send(WireMessage.Have.of(STREAM, held));
        }
        if (st.has("answer")) {
          tester.answer = ConformanceTester.Answer.named(st.get("answer").getAsString());
        }
        if (st.has("load")) {
          JsonObject load = st.getAsJsonObject("load");
          SegmentRef ref = ref(load.get("segment").getAsString());
          boolean signed = load.has("signed") && load.get("signed").getAsBoolean();
          tester.signer = signed ? STREAM_KEY : null;
          put.load(ref, segments.get(ref), Duration.ofMillis(load.get("deadlineMs").getAsLong()), signed);
        }
        if (st.has("offerAgain")) {
          put.offerAgain(tester);
        }
        settle();
        if (st.has("advanceMs")) {
          timers.advance(Duration.ofMillis(st.get("advanceMs").getAsLong()));
        }
        if (st.has("expect")) {
          check(st.getAsJsonObject("expect"));
          seen = tester.received.size();
        }
      }
    }

    /** Checks {@code e} against what happened since the previous expectation (or over the whole scenario). */
    private void check(JsonObject e) {
      assertThat(e.keySet()).as("%s: expectations this runner knows", what).isSubsetOf(EXPECTATIONS);
      List<WireMessage> since = tester.received.subList(seen, tester.received.size());
      if (e.has("received")) {
        List<WireMessage> got = since.stream().filter(m -> !(m instanceof WireMessage.Have)).toList();
        JsonArray want = e.getAsJsonArray("received");
        assertThat(got.stream().map(WireFields::typeOf)).as("%s: messages received", what).hasSize(want.size());
        for (int i = 0; i < want.size(); i++) {
          assertThat(WireFields.matches(got.get(i), want.get(i).getAsJsonObject()))
              .as("%s: message %d is %s, expected %s", what, i, got.get(i), want.get(i)).isTrue();
        }
      }
      if (e.has("have")) {
        WireMessage.Have have = since.stream().filter(WireMessage.Have.class::isInstance).map(WireMessage.Have.class::cast)
            .findFirst().orElseThrow(() -> new AssertionError(what + ": no HAVE"));
        Set<SegmentRef> want = new HashSet<>();
        e.getAsJsonArray("have").forEach(h -> want.add(ref(h.getAsString())));
        assertThat(have.refs()).as("%s: HAVE", what).containsExactlyInAnyOrderElementsOf(want);
      }
      Map<Long, Long> complete = new LinkedHashMap<>();
      Set<Long> busy = new HashSet<>();
      for (WireMessage m : tester.received) {
        if (m instanceof WireMessage.Data d && d.offset() + d.payloadLength() == d.totalLength()) {
          complete.put(d.requestId(), d.totalLength());
        } else if (m instanceof WireMessage.Error err && err.code() == WireMessage.Error.BUSY) {
          busy.add(err.requestId());
        }
      }
      if (e.has("served")) {
        for (Map.Entry<String, JsonElement> s : e.getAsJsonObject("served").entrySet()) {
          assertThat(complete.get(Long.parseLong(s.getKey()))).as("%s: request %s served", what, s.getKey())
              .isEqualTo(s.getValue().getAsLong());
        }
      }
      if (e.has("servedCount")) {
        assertThat(complete).as("%s: requests served", what).hasSize(e.get("servedCount").getAsInt());
      }
      if (e.has("busyCount")) {
        assertThat(busy).as("%s: requests answered BUSY", what).hasSize(e.get("busyCount").getAsInt());
      }
      if (e.has("open")) {
        assertThat(tester.open()).as("%s: link open", what).isEqualTo(e.get("open").getAsBoolean());
      }
      if (e.has("reported")) {
        JsonElement r = e.get("reported");
        assertThat(put.reported(tester.id)).as("%s: reported", what)
            .isEqualTo(r.isJsonNull() ? List.of() : List.of(r.getAsString()));
      }
    }
  }
}
