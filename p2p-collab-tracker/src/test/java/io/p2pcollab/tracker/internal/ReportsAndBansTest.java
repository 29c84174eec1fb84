package io.p2pcollab.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.tracker.PeerReport;
import io.p2pcollab.tracker.PeerReport.Outcome;
import io.p2pcollab.tracker.internal.TestSwarm.Visit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reports cost an attacker something: they count only from real neighbours, once per address; a
 * ban holds an address, not an ID; the super-peer cannot be banned by viewers.
 */
class ReportsAndBansTest {

  private final List<PeerReport> heard = new CopyOnWriteArrayList<>();
  private TestSwarm swarm;
  private Visit superPeer;

  @BeforeEach
  void start() {
    // A long expiry: these tests move the clock by minutes without every visit talking.
    swarm = new TestSwarm(b -> b.onReport(heard::add).expiry(Duration.ofHours(1)).heartbeat(Duration.ofSeconds(1)));
    superPeer = swarm.superPeer().holds(30, 100);
  }

  @AfterEach
  void stop() {
    swarm.close();
  }

  /** A viewer holding {@code main} that {@code peers} connected to (each offered, it answered). */
  private Visit sourceLinkedTo(Visit... peers) {
    Visit source = swarm.viewer().join().holds(5, 100);
    for (Visit p : peers) {
      swarm.link(p, source);
    }
    return source;
  }

  private List<Outcome> outcomes() {
    return heard.stream().map(PeerReport::outcome).toList();
  }

  @Test
  void twoFreshSockets_cannotBanTheSuperPeer_andTheirReportsAreNotNeighbour() {
    Visit a = swarm.viewer();
    Visit b = swarm.viewer();
    a.report(superPeer, "bad-segment");
    b.report(superPeer, "bad-segment");

    assertThat(a.lastError().code()).isEqualTo(ErrorCode.NOT_NEIGHBOUR);
    assertThat(b.lastError().code()).isEqualTo(ErrorCode.NOT_NEIGHBOUR);
    assertThat(superPeer.errors()).isEmpty();
    assertThat(swarm.viewer().join().joinedPeers()).containsExactly(new PeerEntry(superPeer.id, true));
  }

  @Test
  void reportsAgainstTheSuperPeer_evenFromItsNeighbours_goToTheHostAndNeverBanIt() {
    Visit a = swarm.viewer().join();
    Visit b = swarm.viewer().join();
    for (Visit v : List.of(a, b)) {
      swarm.link(v, superPeer); // handed the super-peer in joined, offered, answered
      v.report(superPeer, "bad-segment");
    }

    assertThat(a.errors()).isEmpty();
    assertThat(superPeer.errors()).isEmpty();
    assertThat(heard).hasSize(2).allSatisfy(r -> {
      assertThat(r.reported()).isEqualTo(superPeer.id);
      assertThat(r.againstSuperPeer()).isTrue();
      assertThat(r.outcome()).isEqualTo(Outcome.AGAINST_SUPER_PEER);
    });
    assertThat(swarm.coordinator.tracker().sources().get("main")).contains(superPeer.id);
    assertThat(swarm.viewer().join().joinedPeers()).contains(new PeerEntry(superPeer.id, true));
  }

  @Test
  void aReport_countsOnlyFromAPeerThatWasTheReportedPeersNeighbour() {
    Visit neighbour = swarm.viewer().join();
    Visit bystander = swarm.viewer().join(); // same stream, never linked
    Visit bad = sourceLinkedTo(neighbour);
    Visit offeredOnly = swarm.viewer().join();
    offeredOnly.offer(bad); // an offer without an answer is no link

    bystander.report(bad, "bad-segment");
    offeredOnly.report(bad, "bad-segment");
    neighbour.report(bad, "bad-segment");

    assertThat(bystander.lastError().code()).isEqualTo(ErrorCode.NOT_NEIGHBOUR);
    assertThat(bystander.lastError().ref()).isEqualTo("report");
    assertThat(offeredOnly.lastError().code()).isEqualTo(ErrorCode.NOT_NEIGHBOUR);
    assertThat(outcomes()).containsExactly(Outcome.NOT_NEIGHBOUR, Outcome.NOT_NEIGHBOUR, Outcome.COUNTED);
    assertThat(bad.errors()).as("one counted report bans nobody").isEmpty();
  }

  @Test
  void aReport_namesTheStreamTheyWereNeighboursIn() {
    swarm.coordinator.addStream(io.p2pcollab.core.StreamInfo.standard("other"));
    Visit reporter = swarm.viewer().join();
    Visit bad = sourceLinkedTo(reporter);
    reporter.send("{\"v\":1,\"type\":\"report\",\"peer\":\"" + bad.id.value() + "\",\"stream\":\"other\",\"reason\":\"bad-segment\"}");
    assertThat(reporter.lastError().code()).isEqualTo(ErrorCode.NOT_NEIGHBOUR);
  }

  @Test
  void aPeerReportedByNeighboursAtTwoAddresses_isBanned_neverHandedOutAgain_andCannotConnect() {
    Visit a = swarm.viewer().join();
    Visit b = swarm.viewer().join();
    Visit bad = sourceLinkedTo(a, b);
    a.report(bad, "bad-segment");
    a.report(bad, "bad-segment"); // the same reporter twice counts once
    assertThat(swarm.coordinator.tracker().sources().get("main")).contains(bad.id);
    assertThat(bad.errors()).isEmpty();

    b.report(bad, "wrong-length");

    assertThat(outcomes()).containsExactly(Outcome.COUNTED, Outcome.DUPLICATE, Outcome.BANNED);
    assertThat(bad.lastError().code()).isEqualTo(ErrorCode.BANNED);
    assertThat(swarm.coordinator.tracker().sources().get("main")).doesNotContain(bad.id);
    bad.holds(6, 100); // its later states are ignored
    assertThat(swarm.coordinator.tracker().sources().get("main")).doesNotContain(bad.id);
    Visit newcomer = swarm.viewer().join();
    assertThat(newcomer.joinedPeers()).extracting(PeerEntry::id).doesNotContain(bad.id);
    bad.offer(newcomer);
    assertThat(bad.lastError().code()).isEqualTo(ErrorCode.BANNED);
    assertThat(newcomer.signals()).isEmpty();
  }

  @Test
  void reportsFromOneAddress_countOnce_ipv4AndIpv6Slash64Alike() {
    swarm.close();
    swarm = new TestSwarm(b -> b.onReport(heard::add).reportsToBan(3));
    Visit natA = swarm.visit("198.51.100.20").hello().join();
    Visit natB = swarm.visit("198.51.100.20").hello().join();
    Visit v6a = swarm.visit("2001:db8:aa:1::1").hello().join();
    Visit v6b = swarm.visit("2001:db8:aa:1::2").hello().join();
    Visit third = swarm.viewer().join();
    Visit bad = sourceLinkedTo(natA, natB, v6a, v6b, third);

    natA.report(bad, "bad-segment");
    natB.report(bad, "bad-segment");
    v6a.report(bad, "bad-segment");
    v6b.report(bad, "bad-segment");
    assertThat(bad.errors()).as("two addresses of three").isEmpty();
    third.report(bad, "bad-segment");

    assertThat(outcomes()).containsExactly(
        Outcome.COUNTED, Outcome.DUPLICATE, Outcome.COUNTED, Outcome.DUPLICATE, Outcome.BANNED);
    assertThat(bad.lastError().code()).isEqualTo(ErrorCode.BANNED);
  }

  @Test
  void loopbackReporters_countPerConnection() {
    // Every page of a local demo shares 127.0.0.1: counted as one, no local page could be banned.
    Visit a = swarm.visit("127.0.0.1").hello().join();
    Visit b = swarm.visit("127.0.0.1").hello().join();
    Visit bad = swarm.visit("127.0.0.1").hello().join().holds(5, 100);
    swarm.link(a, bad);
    swarm.link(b, bad);
    a.report(bad, "bad-segment");
    b.report(bad, "bad-segment");
    assertThat(bad.lastError().code()).isEqualTo(ErrorCode.BANNED);
    Visit sameMachine = swarm.visit("127.0.0.1").hello().join().holds(5, 100);
    assertThat(swarm.coordinator.tracker().sources().get("main")).as("the ban held that connection only").contains(sameMachine.id);
  }

  @Test
  void aBanHoldsTheAddress_aNewIdStillMayWatchButNotServe_untilBanDurationEnds() {
    Visit a = swarm.viewer().join();
    Visit b = swarm.viewer().join();
    Visit bad = swarm.visit("198.51.100.66").hello().join().holds(5, 100);
    swarm.link(a, bad);
    swarm.link(b, bad);
    a.report(bad, "bad-segment");
    b.report(bad, "bad-segment");
    bad.send("{\"v\":1,\"type\":\"leave\"}");

    Visit again = swarm.visit("198.51.100.66").hello().join(); // a new ID from the banned address
    assertThat(again.joinedPeers()).as("it may still watch").isNotEmpty();
    again.holds(5, 100);
    assertThat(swarm.coordinator.tracker().sources().get("main")).doesNotContain(again.id);
    again.offer(a);
    assertThat(again.lastError().code()).isEqualTo(ErrorCode.BANNED);

    swarm.advance(Duration.ofMinutes(10));
    swarm.sweep();
    again.holds(5, 100);
    assertThat(swarm.coordinator.tracker().sources().get("main")).as("the ban ended").contains(again.id);
  }

  @Test
  void aBannedPeersReports_areIgnored() {
    Visit a = swarm.viewer().join();
    Visit b = swarm.viewer().join();
    Visit bad = sourceLinkedTo(a, b);
    Visit victim = sourceLinkedTo(bad);
    a.report(bad, "bad-segment");
    b.report(bad, "bad-segment");

    bad.report(victim, "bad-segment");

    assertThat(bad.lastError().code()).isEqualTo(ErrorCode.BANNED);
    assertThat(outcomes()).endsWith(Outcome.REPORTER_BANNED);
  }

  @Test
  void theHostHearsTheReasonAsSent_andTheListenerCannotBreakTheCoordinator() {
    swarm.close();
    swarm = new TestSwarm(b -> b.onReport(r -> {
      heard.add(r);
      throw new IllegalStateException("a broken listener");
    }));
    Visit a = swarm.viewer().join();
    Visit bad = sourceLinkedTo(a);
    a.report(bad, "bad\nsegment\u202e");
    assertThat(heard).singleElement().satisfies(r -> assertThat(r.reason()).isEqualTo("bad\nsegment\u202e"));
    assertThat(swarm.viewer().join().joinedPeers()).isNotEmpty();
  }
}
