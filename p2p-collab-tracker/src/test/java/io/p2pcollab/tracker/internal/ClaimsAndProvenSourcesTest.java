package io.p2pcollab.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerState;
import io.p2pcollab.core.StreamHolding;
import io.p2pcollab.tracker.internal.TestSwarm.Visit;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Claims are checked: {@code newest} against the super-peer's live edge, {@code segments} against
 * the window cap, {@code uploadSlots} clamped; and every peer list holds a source that has
 * delivered ({@code servedBy} from a neighbour elsewhere), or the super-peer.
 */
class ClaimsAndProvenSourcesTest {

  // A long expiry: these tests move the clock by seconds without every visit talking.
  private TestSwarm swarm = new TestSwarm(b -> b.expiry(Duration.ofHours(1)));

  @AfterEach
  void stop() {
    swarm.close();
  }

  private List<PeerEntry> newcomersList() {
    return swarm.viewer().join().joinedPeers();
  }

  @Test
  void theLie_oneSocketClaimingTheWholeWindow_isRefused_andDoesNotHideTheSuperPeer() {
    Visit superPeer = swarm.superPeer().holds(30, 100);
    Visit liar = swarm.viewer().join();
    for (int second = 0; second < 5; second++) {
      liar.state(30, 4294967294L, 8, List.of());
      swarm.advance(Duration.ofSeconds(1));
      superPeer.holds(30, 101 + second);
      assertThat(newcomersList()).contains(new PeerEntry(superPeer.id, true)).doesNotContain(new PeerEntry(liar.id, false));
    }
    assertThat(liar.lastError().code()).isEqualTo(ErrorCode.CLAIM_REFUSED);
    assertThat(liar.lastError().ref()).isEqualTo("state");
    assertThat(liar.socket.closeCode).as("it stays registered").isNull();
    assertThat(swarm.coordinator.tracker().stateOf(liar.id)).contains(new PeerState(List.of(), 8));
  }

  @Test
  void aNewestOneSegmentAheadOfTheSuperPeer_isTolerated_twoAreNot() {
    swarm.superPeer().holds(30, 100);
    Visit fast = swarm.viewer().join().holds(3, 101); // fetched over HTTP before the super-peer's state
    assertThat(fast.errors()).isEmpty();
    assertThat(swarm.coordinator.tracker().sources().get("main")).contains(fast.id);
    fast.holds(3, 102);
    assertThat(fast.lastError().code()).isEqualTo(ErrorCode.CLAIM_REFUSED);
    assertThat(swarm.coordinator.tracker().sources().get("main")).doesNotContain(fast.id);
  }

  @Test
  void theLiveEdgeIsWhatTheSuperPeerLastClaimed() {
    Visit superPeer = swarm.superPeer().holds(30, 100);
    Visit viewer = swarm.viewer().join();
    superPeer.holds(30, 5); // the stream restarted: numbers start again
    viewer.holds(3, 50);
    assertThat(viewer.lastError().code()).isEqualTo(ErrorCode.CLAIM_REFUSED);
  }

  @Test
  void beforeTheSuperPeerReportsTheStream_claimsAreTaken() {
    Visit early = swarm.viewer().join().holds(3, 4000);
    assertThat(early.errors()).isEmpty();
    assertThat(swarm.coordinator.tracker().sources().get("main")).containsExactly(early.id);
  }

  @Test
  void aClaimOfMoreSegmentsThanAWindowHolds_isRefused() {
    Visit greedy = swarm.viewer().join().holds(4097, 5000);
    assertThat(greedy.lastError().code()).isEqualTo(ErrorCode.CLAIM_REFUSED);
    assertThat(swarm.coordinator.tracker().sources()).doesNotContainKey("main");
    greedy.holds(4096, 5000);
    assertThat(swarm.coordinator.tracker().sources().get("main")).containsExactly(greedy.id);
  }

  @Test
  void uploadSlots_areClampedForViewers_notForTheSuperPeer() {
    Visit viewer = swarm.viewer().join().state(3, 7, 1000, List.of());
    Visit superPeer = swarm.superPeer().state(30, 7, 1000, List.of());
    assertThat(swarm.coordinator.tracker().stateOf(viewer.id)).contains(new PeerState(List.of(new StreamHolding("main", 3, 7)), 8));
    assertThat(swarm.coordinator.tracker().stateOf(superPeer.id).orElseThrow().uploadSlots()).isEqualTo(1000);
  }

  @Test
  void aPeerIsProven_whileANeighbourAtAnotherAddressVouchedForItInTheLast10s() {
    Visit superPeer = swarm.superPeer().holds(30, 100);
    Visit source = swarm.viewer().join().holds(5, 100);
    Visit client = swarm.viewer().join();
    swarm.link(client, source);
    assertThat(newcomersList()).as("unproven: the super-peer comes first").startsWith(new PeerEntry(superPeer.id, true));

    client.state(1, 100, 4, List.of(source));
    assertThat(newcomersList()).as("proven: the scheduler's list stands").doesNotContain(new PeerEntry(superPeer.id, true))
        .contains(new PeerEntry(source.id, false));

    swarm.advance(Duration.ofSeconds(10));
    for (Visit v : List.of(superPeer, source, client)) {
      v.keepAlive();
    }
    assertThat(newcomersList()).as("the vouch is 10 s old").startsWith(new PeerEntry(superPeer.id, true));
  }

  @Test
  void vouchesFromStrangersOrFromTheSameAddress_proveNothing() {
    Visit superPeer = swarm.superPeer().holds(30, 100);
    Visit source = swarm.visit("198.51.100.5").hello().join().holds(5, 100);
    Visit stranger = swarm.viewer().join(); // never linked to the source
    Visit sameAddress = swarm.visit("198.51.100.5").hello().join();
    swarm.link(sameAddress, source);

    stranger.state(1, 100, 4, List.of(source));
    sameAddress.state(1, 100, 4, List.of(source));

    assertThat(newcomersList()).startsWith(new PeerEntry(superPeer.id, true));
  }

  @Test
  void aListWithoutAProvenSource_getsTheBestProvenOneInFront_withinTheListSize() {
    swarm.close();
    swarm = new TestSwarm(b -> b.peersPerList(2).expiry(Duration.ofHours(1)));
    swarm.superPeer().holds(30, 100);
    Visit proven = swarm.viewer().join().holds(5, 100);
    Visit client = swarm.viewer().join();
    swarm.link(client, proven);
    client.state(1, 100, 4, List.of(proven));
    proven.state(5, 100, 0, List.of()); // no slot: the scheduler puts it last
    for (int i = 0; i < 3; i++) {
      swarm.viewer().join().holds(5, 100); // unproven sources with slots
    }

    List<PeerEntry> list = newcomersList();

    assertThat(list).hasSize(2).first().isEqualTo(new PeerEntry(proven.id, false));
  }

  @Test
  void aStreamWithoutProvenSources_listsTheSuperPeerEvenWhenTheSchedulerWouldNot() {
    Visit superPeer = swarm.superPeer().holds(30, 100);
    for (int i = 0; i < 6; i++) {
      swarm.viewer().join().holds(5, 100);
    }
    Visit asker = swarm.viewer().join();
    asker.send("{\"v\":1,\"type\":\"peers\",\"stream\":\"main\",\"max\":1}");
    assertThat(((io.p2pcollab.core.SignalMessage.Peers) asker.socket.last()).peers())
        .containsExactly(new PeerEntry(superPeer.id, true));
  }
}
