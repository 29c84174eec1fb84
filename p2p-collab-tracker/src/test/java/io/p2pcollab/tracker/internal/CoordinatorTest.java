package io.p2pcollab.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.IceServer;
import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.PeerState;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.StreamHolding;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.tracker.IceServers;
import io.p2pcollab.tracker.internal.TestSwarm.Visit;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Coordinator and its Tracker, fed frames through the host SPI, on a manual clock. */
class CoordinatorTest {

  private TestSwarm swarm = new TestSwarm();

  @AfterEach
  void stop() {
    swarm.close();
  }

  @Test
  void hello_registersEachVisitUnderARandomIdThatSaysNothingOfItsAddress() {
    // Fifty visits from one and the same address and port: if the ID were derived from the
    // address, they would share it.
    Set<PeerId> ids = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      ids.add(swarm.new Visit(new RecordingConnection("203.0.113.7", 40000)).hello().id);
    }
    assertThat(ids).hasSize(50);
    assertThat(swarm.coordinator.registeredPeers()).isEqualTo(50);
  }

  @Test
  void hello_twice_returnsTheSameId() {
    Visit v = swarm.viewer();
    v.send("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}");
    assertThat(((SignalMessage.Welcome) v.socket.last()).peerId()).isEqualTo(v.id);
  }

  @Test
  void welcome_carriesHeartbeatAndStreams() {
    SignalMessage.Welcome w = (SignalMessage.Welcome) swarm.viewer().socket.last();
    assertThat(w.heartbeat()).isEqualTo(Duration.ofSeconds(1));
    assertThat(w.streams()).containsExactly(StreamInfo.standard("main"));
  }

  @Test
  void welcome_carriesTurnCredentialsMadeForThatPeer() {
    swarm.close();
    swarm = new TestSwarm(b -> b.iceServers(IceServers.of(List.of(IceServer.of("stun:stun.example.org")))
        .and(IceServers.turnRest(List.of("turn:turn.example.org"), "logen", Duration.ofHours(1)))));
    SignalMessage.Welcome a = (SignalMessage.Welcome) swarm.viewer().socket.last();
    SignalMessage.Welcome b = (SignalMessage.Welcome) swarm.viewer().socket.last();

    assertThat(a.iceServers()).hasSize(2).first().isEqualTo(IceServer.of("stun:stun.example.org"));
    long expiry = swarm.clock.instant().plus(Duration.ofHours(1)).getEpochSecond();
    assertThat(a.iceServers().get(1).username()).isEqualTo(expiry + ":" + a.peerId().value());
    assertThat(a.iceServers().get(1).credential()).isEqualTo(IceServers.turnRestCredential(
        "logen".getBytes(java.nio.charset.StandardCharsets.UTF_8), expiry + ":" + a.peerId().value()));
    assertThat(b.iceServers().get(1).credential()).isNotEqualTo(a.iceServers().get(1).credential());
  }

  @Test
  void anythingBeforeHello_isNotRegistered() {
    Visit v = swarm.visit().join();
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.NOT_REGISTERED);
  }

  @Test
  void superPeerRole_needsTheToken() {
    Visit v = swarm.visit().send("{\"v\":1,\"type\":\"hello\",\"role\":\"super-peer\",\"token\":\"guess\"}");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    v.send("{\"v\":1,\"type\":\"hello\",\"role\":\"super-peer\",\"token\":\"sp-secret\"}");
    assertThat(v.socket.last()).isInstanceOf(SignalMessage.Welcome.class);
  }

  @Test
  void signal_isRelayedToItsTargetOnly_withFromSetByTheServer() {
    Visit a = swarm.viewer().join();
    Visit b = swarm.viewer().join();
    Visit c = swarm.viewer().join();
    int cFrames = c.socket.frames.size();
    a.offer(b);
    SignalMessage.Signal got = (SignalMessage.Signal) b.socket.last();
    assertThat(got.from()).isEqualTo(a.id);
    assertThat(got.to()).isNull();
    assertThat(got.sdp()).isEqualTo("v=0");
    assertThat(c.socket.frames).hasSize(cFrames);
    assertThat(String.join("", b.socket.frames)).doesNotContain("203.0.113");
  }

  @Test
  void signal_cannotSpeakForAnotherPeer() {
    Visit a = swarm.viewer().join();
    Visit b = swarm.viewer().join();
    a.send("{\"v\":1,\"type\":\"signal\",\"to\":\"" + b.id.value() + "\",\"from\":\"" + b.id.value()
        + "\",\"kind\":\"offer\",\"sdp\":\"v=0\"}");
    assertThat(a.lastError().code()).isEqualTo(ErrorCode.BAD_MESSAGE);
  }

  @Test
  void signal_toAnUnknownPeer_isUnknownPeer() {
    Visit a = swarm.viewer();
    a.send("{\"v\":1,\"type\":\"signal\",\"to\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"kind\":\"offer\",\"sdp\":\"v=0\"}");
    assertThat(a.lastError().code()).isEqualTo(ErrorCode.UNKNOWN_PEER);
    assertThat(a.lastError().ref()).isEqualTo("signal");
  }

  @Test
  void badFrames_getTheirCode_andTheSessionStaysUsable() {
    Visit v = swarm.viewer();
    v.send("not json");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.BAD_MESSAGE);
    v.send("{\"v\":1,\"type\":\"teleport\"}");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
    v.send("{\"v\":2,\"type\":\"leave\"}");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
    v.send("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\",\"token\":\"" + "x".repeat(70_000) + "\"}");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    v.session.onBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    swarm.flush();
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.BAD_FRAME);
    v.send("{\"v\":1,\"type\":\"welcome\",\"peerId\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"iceServers\":[],\"heartbeatMs\":1,\"streams\":[]}");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.BAD_MESSAGE);
    v.join();
    assertThat(v.socket.last()).isInstanceOf(SignalMessage.Joined.class);
    assertThat(v.socket.closeCode).isNull();
  }

  @Test
  void join_ofAnUnknownStream_isUnknownStream() {
    Visit v = swarm.viewer().join("nope");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.UNKNOWN_STREAM);
  }

  @Test
  void join_givesTheSuperPeerWhileTheSwarmIsShort_thenPeersThatHoldTheStream() {
    Visit superPeer = swarm.superPeer().holds(30, 100);
    Visit first = swarm.viewer().join();
    assertThat(first.joinedPeers()).containsExactly(new PeerEntry(superPeer.id, true));
    first.holds(3, 100);
    Visit second = swarm.viewer().join();
    // The scheduler steps the super-peer back once a viewer holds the stream; but nobody has
    // vouched for that viewer yet, so the super-peer stays in front (ProvenSourcesTest).
    assertThat(second.joinedPeers()).containsExactly(new PeerEntry(superPeer.id, true), new PeerEntry(first.id, false));
  }

  @Test
  void state_fillsThesisTable42_andLeaveEmptiesIt() {
    Visit a = swarm.viewer().join().holds(2, 7);
    Visit b = swarm.viewer().join().holds(0, -1);
    assertThat(swarm.coordinator.tracker().sources()).containsEntry("main", List.of(a.id, b.id));
    assertThat(swarm.coordinator.tracker().stateOf(a.id))
        .contains(new PeerState(List.of(new StreamHolding("main", 2, 7)), 4));
    a.send("{\"v\":1,\"type\":\"leave\"}");
    assertThat(swarm.coordinator.tracker().sources()).containsEntry("main", List.of(b.id));
    assertThat(b.socket.last()).isEqualTo(new SignalMessage.PeerLeft(a.id, "main"));
    assertThat(a.socket.closeCode).isEqualTo(1000);
    assertThat(swarm.coordinator.registeredPeers()).isEqualTo(1);
  }

  @Test
  void aPeerSilentFor3s_isRemovedFromEveryTable_andItsNeighboursAreTold() {
    Visit a = swarm.viewer().join().holds(2, 7);
    Visit b = swarm.viewer().join().holds(2, 7);
    swarm.advance(Duration.ofMillis(2000));
    b.holds(2, 8); // b keeps talking
    swarm.advance(Duration.ofMillis(900));
    swarm.sweep();
    assertThat(swarm.coordinator.registeredPeers()).as("2.9 s of silence is still alive").isEqualTo(2);
    swarm.advance(Duration.ofMillis(200));
    swarm.sweep();
    assertThat(swarm.coordinator.registeredPeers()).isEqualTo(1);
    assertThat(swarm.coordinator.tracker().sources()).containsEntry("main", List.of(b.id));
    assertThat(a.socket.closeCode).isEqualTo(1001);
    assertThat(b.socket.all(SignalMessage.PeerLeft.class)).containsExactly(new SignalMessage.PeerLeft(a.id, "main"));
  }

  @Test
  void aPongCountsAsLife() {
    Visit a = swarm.viewer();
    for (int i = 0; i < 5; i++) {
      swarm.advance(Duration.ofSeconds(1));
      a.session.onPong();
      swarm.sweep();
    }
    assertThat(swarm.coordinator.registeredPeers()).isEqualTo(1);
  }

  @Test
  void aFloodIsRateLimited_withoutAffectingOtherPeers() {
    Visit flood = swarm.viewer();
    Visit calm = swarm.viewer();
    for (int i = 0; i < 200; i++) {
      flood.session.onText("{\"v\":1,\"type\":\"peers\",\"stream\":\"main\"}");
    }
    swarm.flush();
    assertThat(flood.errors()).extracting(SignalMessage.Error::code).contains(ErrorCode.RATE_LIMITED);
    // A burst of 2 × 50 messages is allowed (the clock stands still); the hello was the first of them.
    assertThat(flood.socket.all(SignalMessage.Peers.class)).hasSize(99);
    calm.send("{\"v\":1,\"type\":\"peers\",\"stream\":\"main\"}");
    assertThat(calm.socket.last()).isInstanceOf(SignalMessage.Peers.class);
  }

  @Test
  void reports_ofUnknownPeersOrOneself_areRefused() {
    Visit a = swarm.viewer();
    a.send("{\"v\":1,\"type\":\"report\",\"peer\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"stream\":\"main\",\"reason\":\"x\"}");
    assertThat(a.lastError().code()).isEqualTo(ErrorCode.UNKNOWN_PEER);
    a.report(a, "bad-segment");
    assertThat(a.lastError().code()).isEqualTo(ErrorCode.BAD_MESSAGE);
  }

  @Test
  void aPeerWhoseFramesPileUpFasterThanTheCoordinatorHandlesThem_isDisconnected_othersAreNot() {
    Visit flooder = swarm.viewer();
    Visit bystander = swarm.viewer();
    // Hold the Coordinator's thread so frames can only queue, as when a script outruns the server.
    java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
    swarm.coordinator.run(() -> {
      try {
        busy.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    for (int i = 0; i < PeerSession.MAX_QUEUED_FRAMES; i++) {
      flooder.session.onText("{\"v\":1,\"type\":\"peers\",\"stream\":\"main\"}");
    }
    assertThat(flooder.socket.closeCode).as("at the limit it is still connected").isNull();
    flooder.session.onText("{\"v\":1,\"type\":\"peers\",\"stream\":\"main\"}");
    assertThat(flooder.socket.closeCode).isEqualTo(1008);
    busy.countDown();
    swarm.flush();

    assertThat(bystander.socket.closeCode).isNull();
    assertThat(bystander.join().socket.last()).isInstanceOf(SignalMessage.Joined.class);
  }

  @Test
  void peers_needsNoJoin_andDoesNotMakeTheAskerAMember() {
    Visit source = swarm.viewer().join();
    source.holds(3, 3);
    Visit asker = swarm.viewer();
    asker.send("{\"v\":1,\"type\":\"peers\",\"stream\":\"main\"}");
    SignalMessage.Peers answer = (SignalMessage.Peers) asker.socket.last();
    assertThat(answer.peers()).extracting(PeerEntry::id).contains(source.id);
    Visit newcomer = swarm.viewer().join();
    assertThat(newcomer.joinedPeers()).extracting(PeerEntry::id).doesNotContain(asker.id);
  }

  @Test
  void registrationsFromOneAddress_areLimitedPerMinute() {
    swarm.close();
    swarm = new TestSwarm(b -> b.registrationsPerAddressPerMinute(3));
    List<RecordingConnection> sockets = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      RecordingConnection socket = new RecordingConnection("198.51.100.7", 50000 + i);
      sockets.add(socket);
      swarm.coordinator.connect(socket).onText("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}");
    }
    swarm.flush();
    assertThat(sockets.subList(0, 3)).allSatisfy(c -> assertThat(c.last()).isInstanceOf(SignalMessage.Welcome.class));
    assertThat(((SignalMessage.Error) sockets.get(3).last()).code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(sockets.get(3).closeCode).isEqualTo(1008);
    assertThat(swarm.viewer().id).as("another address is not affected").isNotNull();
    swarm.advance(Duration.ofSeconds(61));
    assertThat(swarm.visit("198.51.100.7").hello().id).isNotNull();
  }

  @Test
  void registrationsFromOneIpv6Subnet_countAsOneAddress() {
    swarm.close();
    swarm = new TestSwarm(b -> b.registrationsPerAddressPerMinute(2));
    swarm.visit("2001:db8:1:2::1").hello();
    swarm.visit("2001:db8:1:2:ffff::9").hello();
    Visit third = swarm.visit("2001:db8:1:2:abcd::7").send("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}");
    assertThat(third.lastError().code()).as("one /64, however many addresses").isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(swarm.visit("2001:db8:1:3::1").hello().id).as("the next /64 is another address").isNotNull();
  }

  @Test
  void closingTheSocket_removesThePeer() {
    Visit a = swarm.viewer().join();
    Visit b = swarm.viewer().join();
    a.session.onClose();
    swarm.flush();
    assertThat(swarm.coordinator.registeredPeers()).isEqualTo(1);
    assertThat(b.socket.last()).isEqualTo(new SignalMessage.PeerLeft(a.id, "main"));
  }

  @Test
  void pendingOffers_areCapped_andAnswersDeparturesOrTimeFreeSlots() {
    swarm.close();
    swarm = new TestSwarm(b -> b.maxPendingOffers(3));
    Visit a = swarm.viewer().join();
    List<Visit> others = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      others.add(swarm.viewer().join());
    }
    for (int i = 0; i < 3; i++) {
      a.offer(others.get(i));
      assertThat(others.get(i).socket.last()).isInstanceOf(SignalMessage.Signal.class);
    }
    a.offer(others.get(3));
    assertThat(a.lastError().code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(others.get(3).signals()).isEmpty();
    a.offer(others.get(0)); // a fresh offer to a peer already asked takes no new slot
    assertThat(others.get(0).signals()).hasSize(2);

    others.get(0).answer(a);
    a.offer(others.get(3));
    assertThat(others.get(3).signals()).hasSize(1);

    others.get(1).send("{\"v\":1,\"type\":\"leave\"}");
    a.offer(others.get(4));
    assertThat(others.get(4).signals()).hasSize(1);

    Visit late = swarm.viewer().join();
    a.offer(late);
    assertThat(a.lastError().code()).isEqualTo(ErrorCode.RATE_LIMITED);
    for (int s = 0; s < 31; s++) { // unanswered for long: no longer pending (a and late stay alive)
      swarm.advance(Duration.ofSeconds(1));
      a.keepAlive();
      late.keepAlive();
    }
    a.offer(late);
    assertThat(late.signals()).hasSize(1);
  }
}
