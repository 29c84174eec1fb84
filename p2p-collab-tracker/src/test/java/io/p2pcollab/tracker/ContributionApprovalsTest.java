package io.p2pcollab.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The operator approval flow on a manual clock. */
class ContributionApprovalsTest {

  private final ManualClock clock = new ManualClock();
  private final ContributionApprovals approvals = new ContributionApprovals(clock, Duration.ofMinutes(5));
  private final SplittableRandom random = new SplittableRandom(3);
  private final PeerId alice = PeerId.random(random);
  private final PeerId bob = PeerId.random(random);
  private final List<ContributionApprovals.Event> events = new ArrayList<>();

  {
    approvals.onChange(events::add);
  }

  @Test
  void nobodyHoldsAGrantByDefault() {
    assertThat(approvals.grant(alice, "cam.alice")).isEmpty();
  }

  @Test
  void aRequest_waitsForTheOperator_thenApprovalGrants() {
    var r = approvals.request(alice, "room", "cam.alice");
    assertThat(approvals.request(alice, "room", "cam.alice")).as("asking twice").isEqualTo(r);
    assertThat(approvals.pending()).containsExactly(r);
    assertThat(approvals.grant(alice, "cam.alice")).isEmpty();
    assertThat(approvals.approve(r.id())).isPresent();
    assertThat(approvals.pending()).isEmpty();
    assertThat(approvals.grant(alice, "cam.alice")).hasValueSatisfying(g -> assertThat(g.room()).isEqualTo("room"));
    assertThat(approvals.grant(alice, "cam.other")).as("bound to its stream").isEmpty();
    assertThat(events).extracting(ContributionApprovals.Event::change)
        .containsExactly(ContributionApprovals.Change.REQUESTED, ContributionApprovals.Change.APPROVED);
  }

  @Test
  void aDeniedRequest_grantsNothing() {
    var r = approvals.request(bob, "room", "cam.bob");
    assertThat(approvals.deny(r.id())).isTrue();
    assertThat(approvals.approve(r.id())).as("a denied request cannot be approved later").isEmpty();
    assertThat(approvals.grant(bob, "cam.bob")).isEmpty();
  }

  @Test
  void aGrant_expires_andCanBeRevokedAtAnyTime() {
    approvals.approve(approvals.request(alice, "room", "a").id());
    approvals.approve(approvals.request(bob, "room", "b").id());
    clock.advance(Duration.ofMinutes(4));
    assertThat(approvals.revoke(bob, "b")).isTrue();
    assertThat(approvals.grant(bob, "b")).isEmpty();
    assertThat(events.get(events.size() - 1)).isEqualTo(
        new ContributionApprovals.Event(ContributionApprovals.Change.REVOKED, bob, "room", "b"));
    assertThat(approvals.grant(alice, "a")).isPresent();
    clock.advance(Duration.ofMinutes(1));
    assertThat(approvals.grant(alice, "a")).as("expired after 5 minutes").isEmpty();
  }

  @Test
  void aLeavingPeer_losesItsGrantsAndRequests() {
    approvals.approve(approvals.request(alice, "room", "a").id());
    approvals.request(alice, "room", "a2");
    approvals.forget(alice);
    assertThat(approvals.grant(alice, "a")).isEmpty();
    assertThat(approvals.pending()).isEmpty();
  }
}
