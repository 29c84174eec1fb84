package io.p2pcollab.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.PeerState;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.StreamHolding;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.core.testing.ManualClock;
import io.p2pcollab.tracker.internal.StandardCoordinator;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Coordinator and its Tracker, fed frames through the host SPI, on a manual clock. */
class CoordinatorTest {

  private final ManualClock clock = new ManualClock();
  private StandardCoordinator coordinator;
  private int nextPort = 40000;

  @BeforeEach
  void start() {
    coordinator =
        (StandardCoordinator)
            Coordinators.create(CoordinatorConfig.builder().clock(clock).superPeerToken("sp-secret").build());
    coordinator.addStream(StreamInfo.standard("main"));
    coordinator.start();
  }

  @AfterEach
  void stop() {
    coordinator.close();
  }

  /** A page visit: its socket, its session, and its ID once welcomed. */
  private final class Visit {
    final RecordingConnection socket;
    final Coordinator.Session session;
    PeerId id;

    Visit() {
      this(new RecordingConnection("203.0.113." + (nextPort % 250), nextPort++));
    }

    Visit(RecordingConnection socket) {
      this.socket = socket;
      this.session = coordinator.connect(socket);
    }

    Visit send(String frame) {
      session.onText(frame);
      flush();
      return this;
    }

    Visit hello() {
      send("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}");
      id = ((SignalMessage.Welcome) socket.last()).peerId();
      return this;
    }

    Visit join() {
      return send("{\"v\":1,\"type\":\"join\",\"stream\":\"main\"}");
    }

    Visit holds(int segments, long newest) {
      return send("{\"v\":1,\"type\":\"state\",\"streams\":[{\"stream\":\"main\",\"segments\":" + segments
          + ",\"newest\":" + newest + "}],\"uploadSlots\":4}");
    }

    SignalMessage.Error lastError() {
      return (SignalMessage.Error) socket.last();
    }
  }

  private void flush() {
    coordinator.run(() -> {}).join();
  }

  @Test
  void hello_registersEachVisitUnderARandomIdThatSaysNothingOfItsAddress() {
    // Fifty visits from one and the same address and port: if the ID were derived from the
    // address, they would share it.
    Set<PeerId> ids = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      ids.add(new Visit(new RecordingConnection("203.0.113.7", 40000)).hello().id);
    }
    assertThat(ids).hasSize(50);
    assertThat(coordinator.registeredPeers()).isEqualTo(50);
  }

  @Test
  void hello_twice_returnsTheSameId() {
    Visit v = new Visit().hello();
    v.send("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}");
    assertThat(((SignalMessage.Welcome) v.socket.last()).peerId()).isEqualTo(v.id);
  }

  @Test
  void welcome_carriesHeartbeatAndStreams() {
    SignalMessage.Welcome w = (SignalMessage.Welcome) new Visit().hello().socket.last();
    assertThat(w.heartbeat()).isEqualTo(Duration.ofSeconds(1));
    assertThat(w.streams()).containsExactly(StreamInfo.standard("main"));
  }

  @Test
  void anythingBeforeHello_isNotRegistered() {
    Visit v = new Visit().join();
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.NOT_REGISTERED);
  }

  @Test
  void superPeerRole_needsTheToken() {
    Visit v = new Visit().send("{\"v\":1,\"type\":\"hello\",\"role\":\"super-peer\",\"token\":\"guess\"}");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    v.send("{\"v\":1,\"type\":\"hello\",\"role\":\"super-peer\",\"token\":\"sp-secret\"}");
    assertThat(v.socket.last()).isInstanceOf(SignalMessage.Welcome.class);
  }

  @Test
  void signal_isRelayedToItsTargetOnly_withFromSetByTheServer() {
    Visit a = new Visit().hello();
    Visit b = new Visit().hello();
    Visit c = new Visit().hello();
    int cFrames = c.socket.frames.size();
    a.send("{\"v\":1,\"type\":\"signal\",\"to\":\"" + b.id.value() + "\",\"kind\":\"offer\",\"sdp\":\"v=0\"}");
    SignalMessage.Signal got = (SignalMessage.Signal) b.socket.last();
    assertThat(got.from()).isEqualTo(a.id);
    assertThat(got.to()).isNull();
    assertThat(got.sdp()).isEqualTo("v=0");
    assertThat(c.socket.frames).hasSize(cFrames);
    assertThat(String.join("", b.socket.frames)).doesNotContain("203.0.113");
  }

  @Test
  void signal_cannotSpeakForAnotherPeer() {
    Visit a = new Visit().hello();
    Visit b = new Visit().hello();
    a.send("{\"v\":1,\"type\":\"signal\",\"to\":\"" + b.id.value() + "\",\"from\":\"" + b.id.value()
        + "\",\"kind\":\"offer\",\"sdp\":\"v=0\"}");
    assertThat(a.lastError().code()).isEqualTo(ErrorCode.BAD_MESSAGE);
  }

  @Test
  void signal_toAnUnknownPeer_isUnknownPeer() {
    Visit a = new Visit().hello();
    a.send("{\"v\":1,\"type\":\"signal\",\"to\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"kind\":\"offer\",\"sdp\":\"v=0\"}");
    assertThat(a.lastError().code()).isEqualTo(ErrorCode.UNKNOWN_PEER);
    assertThat(a.lastError().ref()).isEqualTo("signal");
  }

  @Test
  void badFrames_getTheirCode_andTheSessionStaysUsable() {
    Visit v = new Visit().hello();
    v.send("not json");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.BAD_MESSAGE);
    v.send("{\"v\":1,\"type\":\"teleport\"}");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
    v.send("{\"v\":2,\"type\":\"leave\"}");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
    v.send("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\",\"token\":\"" + "x".repeat(70_000) + "\"}");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    v.session.onBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    flush();
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.BAD_FRAME);
    v.send("{\"v\":1,\"type\":\"welcome\",\"peerId\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"iceServers\":[],\"heartbeatMs\":1,\"streams\":[]}");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.BAD_MESSAGE);
    v.join();
    assertThat(v.socket.last()).isInstanceOf(SignalMessage.Joined.class);
    assertThat(v.socket.closeCode).isNull();
  }

  @Test
  void join_ofAnUnknownStream_isUnknownStream() {
    Visit v = new Visit().hello().send("{\"v\":1,\"type\":\"join\",\"stream\":\"nope\"}");
    assertThat(v.lastError().code()).isEqualTo(ErrorCode.UNKNOWN_STREAM);
  }

  @Test
  void join_givesTheSuperPeerWhileTheSwarmIsShort_thenPeersThatHoldTheStream() {
    Visit superPeer = new Visit().send("{\"v\":1,\"type\":\"hello\",\"role\":\"super-peer\",\"token\":\"sp-secret\"}");
    superPeer.id = ((SignalMessage.Welcome) superPeer.socket.last()).peerId();
    superPeer.holds(30, 100);
    Visit first = new Visit().hello().join();
    assertThat(((SignalMessage.Joined) first.socket.last()).peers()).containsExactly(new PeerEntry(superPeer.id, true));
    first.holds(3, 100);
    Visit second = new Visit().hello().join();
    assertThat(((SignalMessage.Joined) second.socket.last()).peers()).containsExactly(new PeerEntry(first.id, false));
  }

  @Test
  void state_fillsThesisTable42_andLeaveEmptiesIt() {
    Visit a = new Visit().hello().join().holds(2, 7);
    Visit b = new Visit().hello().join().holds(0, -1);
    assertThat(coordinator.tracker().sources()).containsEntry("main", List.of(a.id, b.id));
    assertThat(coordinator.tracker().stateOf(a.id))
        .contains(new PeerState(List.of(new StreamHolding("main", 2, 7)), 4));
    a.send("{\"v\":1,\"type\":\"leave\"}");
    assertThat(coordinator.tracker().sources()).containsEntry("main", List.of(b.id));
    assertThat(b.socket.last()).isEqualTo(new SignalMessage.PeerLeft(a.id, "main"));
    assertThat(a.socket.closeCode).isEqualTo(1000);
    assertThat(coordinator.registeredPeers()).isEqualTo(1);
  }

  @Test
  void aPeerSilentFor3s_isRemovedFromEveryTable_andItsNeighboursAreTold() {
    Visit a = new Visit().hello().join().holds(2, 7);
    Visit b = new Visit().hello().join().holds(2, 7);
    clock.advance(Duration.ofMillis(2000));
    b.holds(2, 8); // b keeps talking
    clock.advance(Duration.ofMillis(900));
    coordinator.run(coordinator::sweep).join();
    assertThat(coordinator.registeredPeers()).as("2.9 s of silence is still alive").isEqualTo(2);
    clock.advance(Duration.ofMillis(200));
    coordinator.run(coordinator::sweep).join();
    assertThat(coordinator.registeredPeers()).isEqualTo(1);
    assertThat(coordinator.tracker().sources()).containsEntry("main", List.of(b.id));
    assertThat(a.socket.closeCode).isEqualTo(1001);
    assertThat(b.socket.all(SignalMessage.PeerLeft.class)).containsExactly(new SignalMessage.PeerLeft(a.id, "main"));
  }

  @Test
  void aPongCountsAsLife() {
    Visit a = new Visit().hello();
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(1));
      a.session.onPong();
      coordinator.run(coordinator::sweep).join();
    }
    assertThat(coordinator.registeredPeers()).isEqualTo(1);
  }

  @Test
  void aFloodIsRateLimited_withoutAffectingOtherPeers() {
    Visit flood = new Visit().hello();
    Visit calm = new Visit().hello();
    for (int i = 0; i < 200; i++) {
      flood.session.onText("{\"v\":1,\"type\":\"peers\",\"stream\":\"main\"}");
    }
    flush();
    assertThat(flood.socket.all(SignalMessage.Error.class)).extracting(SignalMessage.Error::code).contains(ErrorCode.RATE_LIMITED);
    // A burst of 2 × 50 messages is allowed; the hello was the first of them.
    assertThat(flood.socket.all(SignalMessage.Peers.class)).hasSize(99);
    calm.send("{\"v\":1,\"type\":\"peers\",\"stream\":\"main\"}");
    assertThat(calm.socket.last()).isInstanceOf(SignalMessage.Peers.class);
  }

  private void report(Visit by, Visit bad) {
    by.send("{\"v\":1,\"type\":\"report\",\"peer\":\"" + bad.id.value() + "\",\"stream\":\"main\",\"reason\":\"bad-segment\"}");
  }

  @Test
  void aPeerReportedByTwoDistinctPeers_isBanned_neverHandedOutAgain_andCannotConnect() {
    Visit bad = new Visit().hello().join().holds(5, 10);
    Visit a = new Visit().hello().join();
    Visit b = new Visit().hello().join();
    report(a, bad);
    report(a, bad); // the same reporter twice counts once
    assertThat(coordinator.tracker().sources()).containsEntry("main", List.of(bad.id));
    assertThat(bad.socket.all(SignalMessage.Error.class)).isEmpty();
    report(b, bad);
    assertThat(bad.lastError().code()).isEqualTo(ErrorCode.BANNED);
    assertThat(coordinator.tracker().sources()).doesNotContainKey("main");
    bad.holds(6, 11); // its later reports are ignored
    assertThat(coordinator.tracker().sources()).doesNotContainKey("main");
    Visit newcomer = new Visit().hello().join();
    assertThat(((SignalMessage.Joined) newcomer.socket.last()).peers()).extracting(PeerEntry::id).doesNotContain(bad.id);
    bad.send("{\"v\":1,\"type\":\"signal\",\"to\":\"" + newcomer.id.value() + "\",\"kind\":\"offer\",\"sdp\":\"v=0\"}");
    assertThat(bad.lastError().code()).isEqualTo(ErrorCode.BANNED);
    assertThat(newcomer.socket.last()).isInstanceOf(SignalMessage.Joined.class);
  }

  @Test
  void reports_ofUnknownPeersOrOneself_areRefused() {
    Visit a = new Visit().hello();
    a.send("{\"v\":1,\"type\":\"report\",\"peer\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"stream\":\"main\",\"reason\":\"x\"}");
    assertThat(a.lastError().code()).isEqualTo(ErrorCode.UNKNOWN_PEER);
    report(a, a);
    assertThat(a.lastError().code()).isEqualTo(ErrorCode.BAD_MESSAGE);
  }

  @Test
  void registrationsFromOneAddress_areLimitedPerMinute() {
    coordinator.close();
    coordinator = (StandardCoordinator) Coordinators.create(
        CoordinatorConfig.builder().clock(clock).registrationsPerAddressPerMinute(3).build());
    coordinator.addStream(StreamInfo.standard("main"));
    coordinator.start();
    java.util.List<RecordingConnection> sockets = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      RecordingConnection socket = new RecordingConnection("198.51.100.7", 50000 + i);
      sockets.add(socket);
      coordinator.connect(socket).onText("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}");
    }
    flush();
    assertThat(sockets.subList(0, 3)).allSatisfy(c -> assertThat(c.last()).isInstanceOf(SignalMessage.Welcome.class));
    assertThat(((SignalMessage.Error) sockets.get(3).last()).code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(sockets.get(3).closeCode).isEqualTo(1008);
    Visit elsewhere = new Visit().hello(); // another address is not affected
    assertThat(elsewhere.id).isNotNull();
    clock.advance(Duration.ofSeconds(61));
    RecordingConnection later = new RecordingConnection("198.51.100.7", 50010);
    coordinator.connect(later).onText("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}");
    flush();
    assertThat(later.last()).isInstanceOf(SignalMessage.Welcome.class);
  }

  @Test
  void closingTheSocket_removesThePeer() {
    Visit a = new Visit().hello().join();
    Visit b = new Visit().hello().join();
    a.session.onClose();
    flush();
    assertThat(coordinator.registeredPeers()).isEqualTo(1);
    assertThat(b.socket.last()).isEqualTo(new SignalMessage.PeerLeft(a.id, "main"));
  }

  @Test
  void pendingOffers_areCapped_andAnswersDeparturesOrTimeFreeSlots() {
    coordinator.close();
    coordinator = (StandardCoordinator) Coordinators.create(
        CoordinatorConfig.builder().clock(clock).maxPendingOffers(3).build());
    coordinator.addStream(StreamInfo.standard("main"));
    coordinator.start();
    Visit a = new Visit().hello();
    List<Visit> others = List.of(new Visit().hello(), new Visit().hello(), new Visit().hello(), new Visit().hello(), new Visit().hello());
    java.util.function.Function<Visit, String> offerTo =
        t -> "{\"v\":1,\"type\":\"signal\",\"to\":\"" + t.id.value() + "\",\"kind\":\"offer\",\"sdp\":\"v=0\"}";
    for (int i = 0; i < 3; i++) {
      a.send(offerTo.apply(others.get(i)));
      assertThat(others.get(i).socket.last()).isInstanceOf(SignalMessage.Signal.class);
    }
    a.send(offerTo.apply(others.get(3)));
    assertThat(a.lastError().code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(others.get(3).socket.all(SignalMessage.Signal.class)).isEmpty();
    a.send(offerTo.apply(others.get(0))); // a fresh offer to a peer already asked takes no new slot
    assertThat(others.get(0).socket.all(SignalMessage.Signal.class)).hasSize(2);

    others.get(0).send("{\"v\":1,\"type\":\"signal\",\"to\":\"" + a.id.value() + "\",\"kind\":\"answer\",\"sdp\":\"v=0\"}");
    a.send(offerTo.apply(others.get(3)));
    assertThat(others.get(3).socket.all(SignalMessage.Signal.class)).hasSize(1);

    others.get(1).send("{\"v\":1,\"type\":\"leave\"}");
    a.send(offerTo.apply(others.get(4)));
    assertThat(others.get(4).socket.all(SignalMessage.Signal.class)).hasSize(1);

    Visit late = new Visit().hello();
    a.send(offerTo.apply(late));
    assertThat(a.lastError().code()).isEqualTo(ErrorCode.RATE_LIMITED);
    for (int s = 0; s < 31; s++) { // unanswered for long: no longer pending (a and late stay alive)
      clock.advance(Duration.ofSeconds(1));
      a.send("{\"v\":1,\"type\":\"state\",\"streams\":[],\"uploadSlots\":0}");
      late.send("{\"v\":1,\"type\":\"state\",\"streams\":[],\"uploadSlots\":0}");
    }
    a.send(offerTo.apply(late));
    assertThat(late.socket.all(SignalMessage.Signal.class)).hasSize(1);
  }
}
