package io.p2pcollab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.p2pcollab.core.PeerSelectionInput.Candidate;
import io.p2pcollab.core.SourceInput.Neighbour;
import io.p2pcollab.core.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SegmentSchedulerTest {

  private static final PeerId ASKER = id("asker");
  private static final PeerId SP = id("superpeer");
  private static final PeerId R1 = id("regular1");
  private static final PeerId R2 = id("regular2");
  private static final SegmentRef SEG = new SegmentRef("main", "0", 42);
  private static final Instant NOW = Instant.ofEpochMilli(10_000);
  private static final Instant DEADLINE = Instant.ofEpochMilli(13_000);

  private final SegmentScheduler scheduler = SegmentScheduler.standard();

  private static PeerId id(String name) {
    return new PeerId(name + "0".repeat(22 - name.length()));
  }

  // ------------------------------------------------------------ shared vectors (also run by JS)

  static Stream<JsonObject> selectPeersVectors() {
    return Fixtures.section("scheduler.json", "selectPeers").stream();
  }

  static Stream<JsonObject> chooseSourceVectors() {
    return Fixtures.section("scheduler.json", "chooseSource").stream();
  }

  private static SchedulerConfig config(JsonObject vector) {
    JsonObject c = Fixtures.load("scheduler.json").getAsJsonObject("defaultConfig").deepCopy();
    if (vector.has("config")) {
      vector.getAsJsonObject("config").entrySet().forEach(e -> c.add(e.getKey(), e.getValue()));
    }
    return new SchedulerConfig(
        c.get("superPeerUntilSources").getAsInt(),
        c.get("maxOutstandingPerPeer").getAsInt(),
        Duration.ofMillis(c.get("httpFallbackMarginMs").getAsLong()),
        c.get("maxFailuresPerPeer").getAsInt(),
        c.get("maxLateStrikes").getAsInt(),
        Duration.ofMillis(c.get("minRequestMs").getAsLong()),
        Duration.ofMillis(c.get("maxRequestMs").getAsLong()),
        Duration.ofMillis(c.get("minProgressSampleMs").getAsLong()));
  }

  @Test
  void defaultConfigOfTheVectors_isTheJavaDefault() {
    assertThat(config(new JsonObject())).isEqualTo(SchedulerConfig.defaults());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("selectPeersVectors")
  void selectPeers_matchesSharedVector(JsonObject vector) {
    JsonObject in = vector.getAsJsonObject("input");
    List<Candidate> candidates = new ArrayList<>();
    for (JsonElement e : in.getAsJsonArray("candidates")) {
      JsonObject c = e.getAsJsonObject();
      candidates.add(new Candidate(
          new PeerId(c.get("id").getAsString()),
          c.get("superPeer").getAsBoolean(),
          c.get("segments").getAsInt(),
          c.get("newest").getAsLong(),
          c.get("uploadSlots").getAsInt()));
    }
    List<PeerEntry> expected = new ArrayList<>();
    for (JsonElement e : vector.getAsJsonArray("expected")) {
      JsonObject p = e.getAsJsonObject();
      expected.add(new PeerEntry(new PeerId(p.get("id").getAsString()), p.get("superPeer").getAsBoolean()));
    }

    PeerSelection selection =
        SegmentScheduler.standard(config(vector))
            .selectPeers(new PeerSelectionInput(
                in.get("stream").getAsString(),
                new PeerId(in.get("asker").getAsString()),
                candidates,
                in.get("max").getAsInt()));

    assertThat(selection.peers()).as(vector.get("why").getAsString()).containsExactlyElementsOf(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("chooseSourceVectors")
  void chooseSource_matchesSharedVector(JsonObject vector) {
    JsonObject in = vector.getAsJsonObject("input");
    JsonObject seg = in.getAsJsonObject("segment");
    List<Neighbour> neighbours = new ArrayList<>();
    for (JsonElement e : in.getAsJsonArray("neighbours")) {
      JsonObject n = e.getAsJsonObject();
      neighbours.add(new Neighbour(
          new PeerId(n.get("id").getAsString()),
          n.get("superPeer").getAsBoolean(),
          n.get("holds").getAsBoolean(),
          n.get("outstanding").getAsInt(),
          n.get("failures").getAsInt(),
          n.has("lateStrikes") ? n.get("lateStrikes").getAsInt() : 0,
          n.has("bytesPerSecond") ? n.get("bytesPerSecond").getAsLong() : 0));
    }
    JsonObject exp = vector.getAsJsonObject("expected");
    SourceDecision expected =
        switch (exp.get("action").getAsString()) {
          case "PEER" -> SourceDecision.peer(new PeerId(exp.get("peer").getAsString()));
          case "WAIT" -> SourceDecision.waitUntil(Instant.ofEpochMilli(exp.get("untilMs").getAsLong()));
          case "HTTP" -> SourceDecision.http();
          default -> throw new IllegalArgumentException(exp.toString());
        };

    SourceDecision decision =
        SegmentScheduler.standard(config(vector))
            .chooseSource(new SourceInput(
                new SegmentRef(seg.get("stream").getAsString(), seg.get("track").getAsString(), seg.get("number").getAsLong()),
                neighbours,
                Instant.ofEpochMilli(in.get("nowMs").getAsLong()),
                Instant.ofEpochMilli(in.get("deadlineMs").getAsLong()),
                in.has("length") ? in.get("length").getAsLong() : 0));

    assertThat(decision).as(vector.get("why").getAsString()).isEqualTo(expected);
  }

  static Stream<JsonObject> requestDeadlineVectors() {
    return Fixtures.section("scheduler.json", "requestDeadline").stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requestDeadlineVectors")
  void requestDeadline_matchesSharedVector(JsonObject vector) {
    JsonObject in = vector.getAsJsonObject("input");
    Instant deadline = SegmentScheduler.standard(config(vector)).requestDeadline(
        Instant.ofEpochMilli(in.get("nowMs").getAsLong()), Instant.ofEpochMilli(in.get("deadlineMs").getAsLong()));
    assertThat(deadline.toEpochMilli()).as(vector.get("why").getAsString()).isEqualTo(vector.get("expected").getAsLong());
  }

  static Stream<JsonObject> transferBehindVectors() {
    return Fixtures.section("scheduler.json", "transferBehind").stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transferBehindVectors")
  void transferBehind_matchesSharedVector(JsonObject vector) {
    JsonObject in = vector.getAsJsonObject("input");
    boolean behind = SegmentScheduler.standard(config(vector)).transferBehind(new TransferProgress(
        Instant.ofEpochMilli(in.get("startMs").getAsLong()),
        Instant.ofEpochMilli((in.has("lastChunkMs") ? in.get("lastChunkMs") : in.get("startMs")).getAsLong()),
        Instant.ofEpochMilli(in.get("nowMs").getAsLong()),
        Instant.ofEpochMilli(in.get("deadlineMs").getAsLong()),
        in.get("received").getAsLong(),
        in.get("total").getAsLong()));
    assertThat(behind).as(vector.get("why").getAsString()).isEqualTo(vector.get("expected").getAsBoolean());
  }

  // ------------------------------------------------------------ selectPeers, rules stated directly

  private static Candidate source(PeerId id) {
    return new Candidate(id, false, 3, 42, 2);
  }

  private static Candidate superPeer() {
    return new Candidate(SP, true, 30, 42, 50);
  }

  private PeerSelection select(int max, Candidate... candidates) {
    return scheduler.selectPeers(new PeerSelectionInput("main", ASKER, List.of(candidates), max));
  }

  @Test
  void superPeer_stepsBack_asTheSwarmGrows() {
    assertThat(select(5, superPeer()).peers()).containsExactly(new PeerEntry(SP, true));
    assertThat(select(5, superPeer(), source(R1)).includesSuperPeer()).isFalse();
    // The only source is full: the super-peer comes back.
    assertThat(select(5, superPeer(), new Candidate(R1, false, 3, 42, 0)).peers())
        .containsExactly(new PeerEntry(SP, true), new PeerEntry(R1, false));
  }

  @Test
  void selection_spreadsAskersEvenlyOverSources() {
    List<Candidate> sources = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sources.add(source(id("src" + i)));
    }
    Map<PeerId, Integer> given = new HashMap<>();
    SplittableRandom random = new SplittableRandom(3);
    int askers = 2_000;
    for (int i = 0; i < askers; i++) {
      PeerSelection s = scheduler.selectPeers(
          new PeerSelectionInput("main", PeerId.random(random), sources, 3));
      assertThat(s.peers()).hasSize(3).doesNotHaveDuplicates();
      s.peers().forEach(p -> given.merge(p.id(), 1, Integer::sum));
    }
    // 6000 places over 10 sources: each near 600 (a fixed order would give 2000 to three of them).
    assertThat(given).hasSize(10);
    assertThat(given.values()).allSatisfy(n -> assertThat(n).isBetween(450, 750));
  }

  @Test
  void selection_isDeterministic_andIndependentOfCandidateOrder() {
    List<Candidate> candidates = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      candidates.add(source(id("src" + i)));
    }
    PeerSelection first = scheduler.selectPeers(new PeerSelectionInput("main", ASKER, candidates, 4));
    java.util.Collections.reverse(candidates);

    assertThat(scheduler.selectPeers(new PeerSelectionInput("main", ASKER, candidates, 4))).isEqualTo(first);
  }

  // ------------------------------------------------------------ chooseSource, rules stated directly

  private SourceDecision choose(Instant now, Neighbour... neighbours) {
    return scheduler.chooseSource(new SourceInput(SEG, List.of(neighbours), now, DEADLINE));
  }

  @Test
  void chooseSource_table() {
    Neighbour r1 = new Neighbour(R1, false, true, 0, 0);
    Neighbour r1Busy = new Neighbour(R1, false, true, 2, 0);
    Neighbour r1Lacks = new Neighbour(R1, false, false, 0, 0);
    Neighbour sp = new Neighbour(SP, true, true, 0, 0);
    Instant fallback = DEADLINE.minusSeconds(1);

    assertThat(choose(NOW)).isEqualTo(SourceDecision.http());
    assertThat(choose(NOW, r1, sp)).isEqualTo(SourceDecision.peer(R1));
    assertThat(choose(NOW, r1Busy, sp)).isEqualTo(SourceDecision.peer(SP));
    assertThat(choose(NOW, r1Busy)).isEqualTo(SourceDecision.waitUntil(fallback));
    assertThat(choose(NOW, r1Lacks)).isEqualTo(SourceDecision.waitUntil(fallback));
    assertThat(choose(fallback.minusMillis(1), r1Lacks)).isEqualTo(SourceDecision.waitUntil(fallback));
    assertThat(choose(fallback, r1Lacks)).isEqualTo(SourceDecision.http());
    assertThat(choose(DEADLINE.plusSeconds(5), r1)).isEqualTo(SourceDecision.peer(R1));
    assertThat(choose(NOW, new Neighbour(R1, false, true, 0, 1), new Neighbour(R2, false, true, 1, 0)))
        .isEqualTo(SourceDecision.peer(R2));
  }

  @Test
  void chooseSource_spreadsConsecutiveSegmentsOverEqualHolders() {
    List<Neighbour> holders = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      holders.add(new Neighbour(id("src" + i), false, true, 0, 0));
    }
    Map<PeerId, Integer> chosen = new HashMap<>();
    for (long n = 0; n < 400; n++) {
      SourceDecision d = scheduler.chooseSource(
          new SourceInput(new SegmentRef("main", "0", n), holders, NOW, DEADLINE));
      chosen.merge(d.peer(), 1, Integer::sum);
    }
    assertThat(chosen).hasSize(4);
    assertThat(chosen.values()).allSatisfy(n -> assertThat(n).isBetween(60, 140));
  }

  @Test
  void inputsAndConfig_areValidated() {
    assertThatThrownBy(() -> SchedulerConfig.defaults().withMaxOutstandingPerPeer(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SchedulerConfig.defaults().withHttpFallbackMargin(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PeerSelectionInput("main", ASKER, List.of(source(R1), source(R1)), 3))
        .isInstanceOf(IllegalArgumentException.class);
    Neighbour n = new Neighbour(R1, false, true, 0, 0);
    assertThatThrownBy(() -> new SourceInput(SEG, List.of(n, n), NOW, DEADLINE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SourceDecision(SourceDecision.Action.PEER, null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
