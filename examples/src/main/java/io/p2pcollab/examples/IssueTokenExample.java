package io.p2pcollab.examples;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.media.LiveSource;
import io.p2pcollab.media.MediaServer;
import io.p2pcollab.media.SuperPeers;
import io.p2pcollab.tracker.ContributionApprovals;
import io.p2pcollab.tracker.ContributorTokens;
import io.p2pcollab.tracker.CoordinatorConfig;
import io.p2pcollab.tracker.Coordinators;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * How a host application grants the right to go live (docs/contribution.md): a signed, expiring
 * contributor token issued by the host's own backend after its own login check, or an operator's
 * approval. Run it to see both paths.
 */
public final class IssueTokenExample {

  private IssueTokenExample() {}

  public static void main(String[] args) throws Exception {
    // 1. Tokens. The host keeps the private key; the Coordinator only needs the public one.
    KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    ContributorTokens issuer =
        ContributorTokens.ed25519(keys.getPrivate(), keys.getPublic(), Clock.systemUTC(), Duration.ofSeconds(30));
    ContributorTokens coordinatorSide =
        ContributorTokens.ed25519(null, keys.getPublic(), Clock.systemUTC(), Duration.ofSeconds(30));

    String token = issuer.issue("room-42", "cam.alice", "alice@example.org"); // valid 5 minutes
    ContributorTokens.Claims claims = coordinatorSide.redeem(token, "room-42", "cam.alice");
    System.out.println("token grants " + claims.subject() + " " + claims.stream() + " until " + claims.expiresAt());
    try {
      coordinatorSide.redeem(token, "room-42", "cam.alice");
    } catch (io.p2pcollab.core.P2pCollabException e) {
      System.out.println("second use refused: " + e.code());
    }

    // 2. Operator approval: the peer asks, an operator decides, the grant can be revoked.
    ContributionApprovals approvals = new ContributionApprovals(Clock.systemUTC(), Duration.ofMinutes(30));
    approvals.onChange(event -> System.out.println("operator page: " + event));
    PeerId bob = PeerId.random(new SecureRandom());
    ContributionApprovals.Request request = approvals.request(bob, "room-42", "cam.bob");
    approvals.approve(request.id());
    System.out.println("bob may contribute: " + approvals.grant(bob, "cam.bob").isPresent());
    approvals.revoke(bob, "cam.bob");
    System.out.println("after revoke: " + approvals.grant(bob, "cam.bob").isPresent());

    // 3. Wiring: the Coordinator checks both, the super-peer ingests into the Media Server, and the
    // Media Server tells the Coordinator when a contributed stream starts and ends.
    Coordinator coordinator = Coordinators.create(CoordinatorConfig.builder()
        .room("room-42")
        .contributorTokens(coordinatorSide)
        .approvals(approvals)
        .superPeerToken("a secret for the super-peer role")
        .build());
    MediaServer media = MediaServer.create(List.of(LiveSource.builder("main").build()));
    media.onStreamStarted(coordinator::addStream);   // stream-added to every peer
    media.onStreamEnded(coordinator::removeStream);  // stream-removed to every peer
    SuperPeer superPeer = SuperPeers.create(
        SuperPeerConfig.builder("main").token("a secret for the super-peer role").build(),
        media.segments(),
        media.contributions(),                        // where granted uploads are stored
        SuperPeers.inProcessSignaling(coordinator));
    // Operators: coordinator.contributions() lists who is live, coordinator.revokeContribution(id)
    // ends a stream for everyone, coordinator.tracker().sources() is the stream table.
    System.out.println("wired: " + superPeer.state() + ", contributions " + coordinator.contributions());
    superPeer.close();
    coordinator.close();
    media.close();
  }
}
