package io.p2pcollab.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalMessage.Contribution;
import io.p2pcollab.core.SignalMessage.ContributionStatus;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.core.testing.ManualClock;
import io.p2pcollab.tracker.ContributionApprovals;
import io.p2pcollab.tracker.ContributorTokens;
import io.p2pcollab.tracker.CoordinatorConfig;
import io.p2pcollab.tracker.Coordinators;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Going live through the Coordinator: who may contribute (tokens, operator approval), what the
 * contributor, the ingesting super-peer and every viewer are told, and how contributions end.
 */
class CoordinatorContributionTest {

  private static final String KEY = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

  private final ManualClock clock = new ManualClock();
  private final ContributorTokens tokens =
      ContributorTokens.hmacSha256("a secret of at least thirty-two bytes!".getBytes(StandardCharsets.UTF_8), clock, Duration.ofSeconds(5));
  private final ContributionApprovals approvals = new ContributionApprovals(clock, Duration.ofMinutes(30));
  private StandardCoordinator coordinator;
  private int nextPort = 41000;
  private Visit superPeer;

  @BeforeEach
  void start() {
    coordinator =
        (StandardCoordinator)
            Coordinators.create(
                CoordinatorConfig.builder()
                    .clock(clock)
                    .superPeerToken("sp-secret")
                    .room("room-42")
                    .contributorTokens(tokens)
                    .approvals(approvals)
                    .grantFailureDelay(Duration.ZERO)
                    // Long: tests move the clock by minutes, and the background sweep must
                    // not expire visits that did not talk in between.
                    .expiry(Duration.ofHours(1))
                    .build());
    coordinator.addStream(StreamInfo.standard("main"));
    coordinator.start();
    superPeer = new Visit().send("{\"v\":1,\"type\":\"hello\",\"role\":\"super-peer\",\"token\":\"sp-secret\"}");
    superPeer.id = ((SignalMessage.Welcome) superPeer.socket.last()).peerId();
  }

  @AfterEach
  void stop() {
    coordinator.close();
  }

  private final class Visit {
    final RecordingConnection socket;
    final Coordinator.Session session;
    PeerId id;

    Visit() {
      this("198.51.100." + (nextPort % 250));
    }

    Visit(String ip) {
      socket = new RecordingConnection(ip, nextPort++);
      session = coordinator.connect(socket);
    }

    Visit send(String frame) {
      session.onText(frame);
      coordinator.run(() -> {}).join();
      return this;
    }

    Visit hello() {
      send("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}");
      id = ((SignalMessage.Welcome) socket.last()).peerId();
      return this;
    }

    Visit contribute(String stream, String token) {
      return send("{\"v\":1,\"type\":\"contribute\",\"stream\":\"" + stream + "\""
          + (token == null ? "" : ",\"token\":\"" + token + "\"") + "}");
    }

    SignalMessage.Error lastError() {
      return socket.all(SignalMessage.Error.class).get(socket.all(SignalMessage.Error.class).size() - 1);
    }

    Contribution lastContribution() {
      var all = socket.all(Contribution.class);
      return all.isEmpty() ? null : all.get(all.size() - 1);
    }
  }

  @Test
  void aValidToken_grantsTheStream_andTellsTheSuperPeerWhomToAccept() {
    Visit alice = new Visit().hello();
    alice.contribute("cam.alice", tokens.issue("room-42", "cam.alice", "alice"));

    assertThat(alice.lastContribution())
        .isEqualTo(new Contribution("cam.alice", ContributionStatus.GRANTED, null, superPeer.id, null));
    assertThat(superPeer.lastContribution())
        .isEqualTo(new Contribution("cam.alice", ContributionStatus.GRANTED, alice.id, null, null));
    assertThat(coordinator.contributions()).isEqualTo(Map.of("cam.alice", alice.id));
  }

  @Test
  void theIngestingSuperPeerCutsAContributorThatPushesTooFast_andItEndsForAll() {
    Visit alice = new Visit().hello();
    alice.contribute("cam.alice", tokens.issue("room-42", "cam.alice", "alice"));

    superPeer.send("{\"v\":1,\"type\":\"contribution\",\"stream\":\"cam.alice\",\"status\":\"revoked\",\"peer\":\""
        + alice.id.value() + "\",\"reason\":\"too-fast\"}");

    assertThat(alice.lastContribution())
        .isEqualTo(new Contribution("cam.alice", ContributionStatus.REVOKED, null, null, "too-fast"));
    assertThat(coordinator.contributions()).isEmpty();
  }

  @Test
  void onlyTheIngestingSuperPeerEndsAContribution_aViewerSayingSoIsRefused() {
    Visit alice = new Visit().hello();
    alice.contribute("cam.alice", tokens.issue("room-42", "cam.alice", "alice"));
    Visit eve = new Visit().hello();

    eve.send("{\"v\":1,\"type\":\"contribution\",\"stream\":\"cam.alice\",\"status\":\"revoked\",\"reason\":\"too-fast\"}");
    superPeer.send("{\"v\":1,\"type\":\"contribution\",\"stream\":\"cam.alice\",\"status\":\"granted\"}");

    assertThat(eve.lastError().code()).isEqualTo(ErrorCode.BAD_MESSAGE);
    assertThat(superPeer.lastError().code()).isEqualTo(ErrorCode.BAD_MESSAGE);
    assertThat(coordinator.contributions()).isEqualTo(Map.of("cam.alice", alice.id));
  }

  @Test
  void nobodyContributesWithoutAGrant_andTheRefusalNamesItsCause() {
    Visit eve = new Visit().hello();

    eve.contribute("cam.alice", tokens.issue("room-42", "cam.other", "eve"));
    assertThat(eve.lastError().code()).isEqualTo(ErrorCode.TOKEN_INVALID);
    eve.contribute("cam.alice", tokens.issue("room-7", "cam.alice", "eve"));
    assertThat(eve.lastError().code()).isEqualTo(ErrorCode.TOKEN_INVALID);
    eve.contribute("cam.alice", "forged.token");
    assertThat(eve.lastError().code()).isEqualTo(ErrorCode.TOKEN_INVALID);
    String expiring = tokens.issue("room-42", "cam.alice", "eve", Duration.ofMinutes(1));
    clock.advance(Duration.ofMinutes(2));
    eve.contribute("cam.alice", expiring);
    assertThat(eve.lastError().code()).isEqualTo(ErrorCode.TOKEN_EXPIRED);

    assertThat(superPeer.socket.all(Contribution.class)).isEmpty();
    assertThat(coordinator.contributions()).isEmpty();
    assertThat(eve.lastError().ref()).isEqualTo("contribute");
  }

  @Test
  void aTokenStartsOneContributionOnly() {
    Visit alice = new Visit().hello();
    String token = tokens.issue("room-42", "cam.alice", "alice");
    alice.contribute("cam.alice", token);
    alice.send("{\"v\":1,\"type\":\"contribute-stop\",\"stream\":\"cam.alice\"}");

    alice.contribute("cam.alice", token);

    assertThat(alice.lastError().code()).isEqualTo(ErrorCode.TOKEN_REPLAYED);
    assertThat(coordinator.contributions()).isEmpty();
  }

  @Test
  void withoutAToken_anOperatorIsAsked_andApprovalStartsTheContribution() {
    Visit bob = new Visit().hello();
    bob.contribute("cam-bob", null);

    assertThat(bob.lastError().code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    assertThat(bob.lastContribution().status()).isEqualTo(ContributionStatus.PENDING);
    assertThat(approvals.pending()).singleElement().satisfies(r -> {
      assertThat(r.peer()).isEqualTo(bob.id);
      assertThat(r.stream()).isEqualTo("cam-bob");
      assertThat(r.room()).isEqualTo("room-42");
    });

    approvals.approve(approvals.pending().get(0).id());
    coordinator.run(() -> {}).join();

    assertThat(bob.lastContribution())
        .isEqualTo(new Contribution("cam-bob", ContributionStatus.GRANTED, null, superPeer.id, null));
    assertThat(coordinator.contributions()).containsEntry("cam-bob", bob.id);
  }

  @Test
  void aDeniedRequest_isToldToThePeer() {
    Visit bob = new Visit().hello();
    bob.contribute("cam-bob", null);
    approvals.deny(approvals.pending().get(0).id());
    coordinator.run(() -> {}).join();

    assertThat(bob.lastContribution().status()).isEqualTo(ContributionStatus.DENIED);
    assertThat(coordinator.contributions()).isEmpty();
  }

  @Test
  void revoking_endsTheStreamForEveryone_atOnce() {
    Visit alice = new Visit().hello();
    Visit viewer = new Visit().hello();
    alice.contribute("cam.alice", tokens.issue("room-42", "cam.alice", "alice"));
    coordinator.addStream(StreamInfo.standardSigned("cam.alice", KEY)); // the Media Server went live
    coordinator.run(() -> {}).join();
    assertThat(viewer.socket.all(SignalMessage.StreamAdded.class))
        .extracting(a -> a.stream().id())
        .containsExactly("cam.alice");

    assertThat(coordinator.revokeContribution("cam.alice")).isTrue();
    coordinator.run(() -> {}).join();
    coordinator.run(() -> {}).join();

    assertThat(alice.lastContribution().status()).isEqualTo(ContributionStatus.REVOKED);
    assertThat(superPeer.lastContribution())
        .extracting(Contribution::status, Contribution::peer)
        .containsExactly(ContributionStatus.REVOKED, alice.id);
    assertThat(viewer.socket.all(SignalMessage.StreamRemoved.class))
        .containsExactly(new SignalMessage.StreamRemoved("cam.alice"));
    assertThat(coordinator.streams()).extracting(StreamInfo::id).containsExactly("main");
    assertThat(coordinator.revokeContribution("cam.alice")).isFalse();
  }

  @Test
  void revokingAnApproval_endsTheContribution() {
    Visit bob = new Visit().hello();
    bob.contribute("cam-bob", null);
    approvals.approve(approvals.pending().get(0).id());
    coordinator.run(() -> {}).join();

    approvals.revoke(bob.id, "cam-bob");
    coordinator.run(() -> {}).join();

    assertThat(bob.lastContribution().status()).isEqualTo(ContributionStatus.REVOKED);
    assertThat(coordinator.contributions()).isEmpty();
  }

  @Test
  void aContributorThatLeaves_endsItsStream() {
    Visit alice = new Visit().hello();
    alice.contribute("cam.alice", tokens.issue("room-42", "cam.alice", "alice"));
    alice.send("{\"v\":1,\"type\":\"leave\"}");

    assertThat(superPeer.lastContribution().status()).isEqualTo(ContributionStatus.ENDED);
    assertThat(coordinator.contributions()).isEmpty();
  }

  @Test
  void aLiveStreamCannotBeTaken() {
    Visit alice = new Visit().hello();
    Visit mallory = new Visit().hello();
    alice.contribute("cam.alice", tokens.issue("room-42", "cam.alice", "alice"));

    mallory.contribute("cam.alice", tokens.issue("room-42", "cam.alice", "mallory"));
    assertThat(mallory.lastError().code()).isEqualTo(ErrorCode.STREAM_TAKEN);
    mallory.contribute("main", tokens.issue("room-42", "main", "mallory"));
    assertThat(mallory.lastError().code()).isEqualTo(ErrorCode.STREAM_TAKEN);
    assertThat(coordinator.contributions()).isEqualTo(Map.of("cam.alice", alice.id));
  }

  @Test
  void stoppingAStreamOneDoesNotContribute_isRefused() {
    Visit alice = new Visit().hello();
    Visit mallory = new Visit().hello();
    alice.contribute("cam.alice", tokens.issue("room-42", "cam.alice", "alice"));

    mallory.send("{\"v\":1,\"type\":\"contribute-stop\",\"stream\":\"cam.alice\"}");

    assertThat(mallory.lastError().code()).isEqualTo(ErrorCode.UNKNOWN_STREAM);
    assertThat(coordinator.contributions()).containsKey("cam.alice");
  }

  @Test
  void failedGrantChecks_areAnsweredAfterADelay() throws Exception {
    coordinator.close();
    coordinator =
        (StandardCoordinator)
            Coordinators.create(CoordinatorConfig.builder().clock(clock).room("room-42").contributorTokens(tokens)
                .grantFailureDelay(Duration.ofMillis(200)).build());
    coordinator.start();
    Visit eve = new Visit().hello();
    long start = System.nanoTime();
    eve.contribute("cam", "forged.token");

    while (eve.socket.all(SignalMessage.Error.class).isEmpty()) {
      Thread.sleep(5);
    }
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
    assertThat(eve.lastError().code()).isEqualTo(ErrorCode.TOKEN_INVALID);
  }

  @Test
  void aStateStillListingAStreamThatJustEnded_isTakenWithoutIt() {
    Visit viewer = new Visit().hello();
    coordinator.addStream(StreamInfo.standardSigned("cam.alice", KEY));
    coordinator.removeStream("cam.alice");
    viewer.send("{\"v\":1,\"type\":\"state\",\"streams\":[{\"stream\":\"main\",\"segments\":2,\"newest\":7},"
        + "{\"stream\":\"cam.alice\",\"segments\":3,\"newest\":3}],\"uploadSlots\":4}");

    assertThat(viewer.socket.all(SignalMessage.Error.class)).isEmpty();
    assertThat(coordinator.tracker().sources()).containsOnlyKeys("main");

    clock.advance(Duration.ofSeconds(11)); // long since ended: now it is an error like any unknown stream
    viewer.send("{\"v\":1,\"type\":\"state\",\"streams\":[{\"stream\":\"cam.alice\",\"segments\":3,\"newest\":3}],\"uploadSlots\":4}");
    assertThat(viewer.lastError().code()).isEqualTo(ErrorCode.UNKNOWN_STREAM);
  }

  @Test
  void aPeerHasOneRequestWaitingForAnOperator_askingAgainForItIsFine() {
    Visit bob = new Visit().hello();
    bob.contribute("cam-bob", null);
    bob.contribute("cam-bob", null);
    assertThat(bob.lastContribution().status()).isEqualTo(ContributionStatus.PENDING);

    bob.contribute("cam-bob2", null);

    assertThat(bob.lastError().code()).isEqualTo(ErrorCode.PENDING_LIMIT);
    assertThat(bob.lastError().ref()).isEqualTo("contribute");
    assertThat(approvals.pending()).extracting(ContributionApprovals.Request::stream).containsExactly("cam-bob");
  }

  @Test
  void fourHundredRequestsFromOneRegistration_leaveOneWaiting() {
    Visit eve = new Visit().hello();
    for (int i = 0; i < 400; i++) {
      eve.contribute("cam-" + i, null);
      clock.advance(Duration.ofMillis(25)); // under the message rate
    }
    assertThat(approvals.pending()).hasSize(1);
    assertThat(eve.socket.all(SignalMessage.Error.class)).filteredOn(e -> e.code() == ErrorCode.PENDING_LIMIT).hasSize(399);
  }

  @Test
  void theOperatorsQueue_isCapped_oldestKept_andFreedWhenDecided() {
    coordinator.close();
    coordinator = (StandardCoordinator) Coordinators.create(CoordinatorConfig.builder().clock(clock).room("room-42")
        .approvals(approvals).grantFailureDelay(Duration.ZERO).maxPendingApprovals(3).build());
    coordinator.start();
    java.util.List<Visit> asking = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Visit v = new Visit().hello();
      v.contribute("cam-" + i, null);
      asking.add(v);
    }
    assertThat(asking.get(3).lastError().code()).isEqualTo(ErrorCode.PENDING_LIMIT);
    assertThat(approvals.pending()).extracting(ContributionApprovals.Request::stream).containsExactly("cam-0", "cam-1", "cam-2");

    approvals.deny(approvals.pending().get(0).id());
    asking.get(3).contribute("cam-3", null);
    assertThat(asking.get(3).lastContribution().status()).isEqualTo(ContributionStatus.PENDING);
  }

  @Test
  void oneAddress_hasAtMostTwoRequestsWaiting() {
    Visit a = new Visit("203.0.113.50").hello();
    Visit b = new Visit("203.0.113.50").hello();
    Visit c = new Visit("203.0.113.50").hello();
    a.contribute("cam-a", null);
    b.contribute("cam-b", null);
    c.contribute("cam-c", null);
    assertThat(c.lastError().code()).isEqualTo(ErrorCode.PENDING_LIMIT);
    Visit elsewhere = new Visit("203.0.113.51").hello();
    elsewhere.contribute("cam-d", null);
    assertThat(approvals.pending()).extracting(ContributionApprovals.Request::stream).containsExactly("cam-a", "cam-b", "cam-d");
  }

  @Test
  void aLiveContribution_endsWhenItsTokenExpires_revokedExpired() {
    Visit alice = new Visit().hello();
    alice.contribute("cam.alice", tokens.issue("room-42", "cam.alice", "alice", Duration.ofMinutes(2)));
    assertThat(coordinator.contributions()).containsKey("cam.alice");

    clock.advance(Duration.ofMinutes(2)); // the tolerated skew (5 s) is still left
    keepAlive(alice);
    assertThat(coordinator.contributions()).containsKey("cam.alice");
    clock.advance(Duration.ofSeconds(5));
    keepAlive(alice);

    assertThat(alice.lastContribution()).isEqualTo(new Contribution("cam.alice", ContributionStatus.REVOKED, null, null, "expired"));
    assertThat(superPeer.lastContribution()).isEqualTo(new Contribution("cam.alice", ContributionStatus.REVOKED, alice.id, null, "expired"));
    assertThat(coordinator.contributions()).isEmpty();
  }

  @Test
  void theHostMayRenewALiveContribution() {
    Visit alice = new Visit().hello();
    alice.contribute("cam.alice", tokens.issue("room-42", "cam.alice", "alice", Duration.ofMinutes(2)));
    assertThat(coordinator.renewContribution("cam.alice", clock.instant().plus(Duration.ofHours(1)))).isTrue();
    assertThat(coordinator.renewContribution("cam.nobody", clock.instant().plus(Duration.ofHours(1)))).isFalse();

    clock.advance(Duration.ofMinutes(30));
    keepAlive(alice);
    assertThat(coordinator.contributions()).containsKey("cam.alice");
    clock.advance(Duration.ofMinutes(30));
    keepAlive(alice);
    assertThat(alice.lastContribution().status()).isEqualTo(ContributionStatus.REVOKED);
  }

  @Test
  void anApprovedContribution_endsWithTheApprovalsLifetime() {
    Visit bob = new Visit().hello();
    bob.contribute("cam-bob", null);
    approvals.approve(approvals.pending().get(0).id());
    coordinator.run(() -> {}).join();
    assertThat(coordinator.contributions()).containsKey("cam-bob");

    clock.advance(Duration.ofMinutes(30));
    keepAlive(bob);

    assertThat(bob.lastContribution()).isEqualTo(new Contribution("cam-bob", ContributionStatus.REVOKED, null, null, "expired"));
  }

  @Test
  void theContributor_mayOfferToTheSuperPeerThatIngestsIt() {
    Visit alice = new Visit().hello();
    String offer = "{\"v\":1,\"type\":\"signal\",\"to\":\"" + superPeer.id.value() + "\",\"kind\":\"offer\",\"sdp\":\"v=0\"}";
    alice.send(offer);
    assertThat(alice.lastError().code()).as("not handed yet").isEqualTo(ErrorCode.NOT_NEIGHBOUR);

    alice.contribute("cam.alice", tokens.issue("room-42", "cam.alice", "alice"));
    alice.send(offer);

    assertThat(superPeer.socket.all(SignalMessage.Signal.class)).extracting(SignalMessage.Signal::from).containsExactly(alice.id);
  }

  /** Everyone talks (so nobody expires), then the sweep runs. */
  private void keepAlive(Visit... visits) {
    for (Visit v : visits) {
      v.send("{\"v\":1,\"type\":\"state\",\"streams\":[],\"uploadSlots\":0}");
    }
    superPeer.send("{\"v\":1,\"type\":\"state\",\"streams\":[],\"uploadSlots\":0}");
    coordinator.run(coordinator::sweep).join();
  }
}
