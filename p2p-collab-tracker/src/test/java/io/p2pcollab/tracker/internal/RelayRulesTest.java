package io.p2pcollab.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.tracker.internal.TestSwarm.Visit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Relays only where they belong: offers between peers of one stream, to the super-peer only from
 * peers it was handed to, answers and candidates only along a relayed offer.
 */
class RelayRulesTest {

  private final TestSwarm swarm = new TestSwarm();

  @AfterEach
  void stop() {
    swarm.close();
  }

  @Test
  void offers_toPeersOfNoSharedStream_areNotNeighbour_andNotRelayed() {
    swarm.coordinator.addStream(StreamInfo.standard("other"));
    Visit main = swarm.viewer().join();
    Visit other = swarm.viewer().join("other");
    Visit unjoined = swarm.viewer();

    main.offer(other);
    assertThat(main.lastError().code()).isEqualTo(ErrorCode.NOT_NEIGHBOUR);
    assertThat(main.lastError().ref()).isEqualTo("signal");
    unjoined.offer(main);
    assertThat(unjoined.lastError().code()).isEqualTo(ErrorCode.NOT_NEIGHBOUR);
    assertThat(other.signals()).isEmpty();
    assertThat(main.signals()).isEmpty();

    other.join("main");
    main.offer(other);
    assertThat(other.signals()).hasSize(1);
  }

  @Test
  void aSourceOfAStream_isInItWithoutJoining() {
    Visit holder = swarm.viewer().holds(3, 7);
    Visit viewer = swarm.viewer().join();
    viewer.offer(holder);
    assertThat(holder.signals()).hasSize(1);
  }

  @Test
  void offers_toTheSuperPeer_onlyFromPeersItWasHandedTo() {
    Visit superPeer = swarm.superPeer().holds(30, 100);
    Visit stranger = swarm.viewer();
    stranger.offer(superPeer);
    assertThat(stranger.lastError().code()).isEqualTo(ErrorCode.NOT_NEIGHBOUR);

    Visit sameStream = swarm.viewer().holds(1, 100); // in main, but never handed the super-peer
    sameStream.offer(superPeer);
    assertThat(sameStream.lastError().code()).isEqualTo(ErrorCode.NOT_NEIGHBOUR);
    assertThat(superPeer.signals()).isEmpty();

    Visit handed = swarm.viewer().join(); // the joined list holds the super-peer
    handed.offer(superPeer);
    assertThat(superPeer.signals()).extracting(SignalMessage.Signal::from).containsExactly(handed.id);
  }

  @Test
  void unsolicitedAnswers_areNotNeighbour() {
    Visit a = swarm.viewer().join();
    Visit b = swarm.viewer().join();
    b.answer(a);
    assertThat(b.lastError().code()).isEqualTo(ErrorCode.NOT_NEIGHBOUR);
    assertThat(a.signals()).isEmpty();

    a.offer(b);
    b.answer(a);
    assertThat(a.signals()).extracting(SignalMessage.Signal::kind).containsExactly(SignalMessage.SignalKind.ANSWER);
    b.answer(a);
    assertThat(b.lastError().code()).as("the offer is settled").isEqualTo(ErrorCode.NOT_NEIGHBOUR);
  }

  @Test
  void candidates_flowOnlyBetweenPeersWithAnOfferBetweenThem() {
    Visit a = swarm.viewer().join();
    Visit b = swarm.viewer().join();
    Visit c = swarm.viewer().join();
    c.candidate(a);
    assertThat(c.lastError().code()).isEqualTo(ErrorCode.NOT_NEIGHBOUR);

    a.offer(b);
    a.candidate(b); // the offerer trickles before the answer
    b.candidate(a); // and the answerer may too
    b.answer(a);
    b.candidate(a); // after it, both ways along the link
    a.candidate(b);

    assertThat(a.signals()).extracting(SignalMessage.Signal::kind).containsExactly(
        SignalMessage.SignalKind.CANDIDATE, SignalMessage.SignalKind.ANSWER, SignalMessage.SignalKind.CANDIDATE);
    assertThat(b.signals()).extracting(SignalMessage.Signal::kind).containsExactly(
        SignalMessage.SignalKind.OFFER, SignalMessage.SignalKind.CANDIDATE, SignalMessage.SignalKind.CANDIDATE);
    assertThat(a.errors()).isEmpty();
    assertThat(b.errors()).isEmpty();
  }

  @Test
  void signalsToOneself_areRefused() {
    Visit a = swarm.viewer().join();
    a.offer(a);
    assertThat(a.lastError().code()).isEqualTo(ErrorCode.BAD_MESSAGE);
  }
}
