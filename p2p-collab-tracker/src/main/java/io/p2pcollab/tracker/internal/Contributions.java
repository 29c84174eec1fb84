package io.p2pcollab.tracker.internal;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalMessage.ContributionStatus;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.tracker.ContributionApprovals;
import io.p2pcollab.tracker.ContributorTokens;
import io.p2pcollab.tracker.CoordinatorConfig;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Going live: who may contribute (a contributor token, or an operator's approval), which
 * super-peer ingests it, and how it ends — stopped, left, revoked, or its grant ran out ({@code
 * revoked}, reason {@code expired}) unless the host renewed it. Requests waiting for an operator are
 * bounded: one per peer, {@code maxPendingApprovalsPerAddress} per address and {@code
 * maxPendingApprovals} in all ({@code PENDING_LIMIT} beyond).
 *
 * <p>Threading: the Coordinator's thread, except {@link #snapshot()} and {@link #isLive} (any
 * thread).
 */
final class Contributions {

  private static final Logger log = LoggerFactory.getLogger(Contributions.class);

  /** A live contribution: who sends it, which super-peer ingests it, until when its grant holds. */
  private record Live(PeerId contributor, PeerId superPeer, String grantedBy, Instant expiresAt) {}

  private final Sessions sessions;
  private final CoordinatorConfig config;
  private final PeerJudge judge;
  private final Function<String, StreamInfo> streams;
  private final Consumer<String> removeStream;
  private final ScheduledExecutorService executor;
  private final SecureRandom random;
  private final Map<String, Live> live = new LinkedHashMap<>();
  private final Map<String, PeerId> contributors = new ConcurrentHashMap<>();

  Contributions(Sessions sessions, CoordinatorConfig config, PeerJudge judge, Function<String, StreamInfo> streams,
      Consumer<String> removeStream, ScheduledExecutorService executor, SecureRandom random) {
    this.sessions = sessions;
    this.config = config;
    this.judge = judge;
    this.streams = streams;
    this.removeStream = removeStream;
    this.executor = executor;
    this.random = random;
  }

  Map<String, PeerId> snapshot() {
    return Map.copyOf(contributors);
  }

  boolean isLive(String stream) {
    return contributors.containsKey(stream);
  }

  void contribute(PeerSession s, SignalMessage.Contribute c) {
    String stream = c.stream();
    Live current = live.get(stream);
    if (current != null && current.contributor().equals(s.peerId)) {
      grantTo(s, stream, current); // asked again: same answer
      return;
    }
    if (current != null || streams.apply(stream) != null) {
      sessions.refuse(s, ErrorCode.STREAM_TAKEN, "stream '" + stream + "' is live already", "contribute");
      return;
    }
    for (Map.Entry<String, Live> e : live.entrySet()) {
      if (e.getValue().contributor().equals(s.peerId)) {
        sessions.refuse(s, ErrorCode.BAD_MESSAGE, "already contributing '" + e.getKey() + "': stop it first", "contribute");
        return;
      }
    }
    if (judge.isBanned(s)) {
      refuseLater(s, ErrorCode.BANNED, "banned peers cannot contribute");
      return;
    }
    if (c.token() != null) {
      ContributorTokens tokens = config.contributorTokens();
      if (tokens == null) {
        refuseLater(s, ErrorCode.UNAUTHORIZED, "this room accepts no contributor tokens; ask an operator");
        return;
      }
      ContributorTokens.Claims claims;
      try {
        claims = tokens.redeem(c.token(), config.room(), stream);
      } catch (P2pCollabException e) {
        refuseLater(s, e.code(), e.getMessage());
        return;
      }
      start(s, stream, "token", claims.expiresAt().plus(tokens.skew()));
      return;
    }
    var grant = config.approvals().grant(s.peerId, stream);
    if (grant.isPresent()) {
      start(s, stream, "operator", grant.get().expiresAt());
      return;
    }
    String limit = pendingLimit(s, stream);
    if (limit != null) {
      sessions.refuse(s, ErrorCode.PENDING_LIMIT, limit, "contribute");
      return;
    }
    config.approvals().request(s.peerId, config.room(), stream);
    refuseLater(s, ErrorCode.UNAUTHORIZED, "no grant to contribute '" + stream + "'; an operator was asked to approve it");
    sessions.send(s, new SignalMessage.Contribution(stream, ContributionStatus.PENDING, null, null, "waiting for an operator"));
  }

  /** Why one more request of {@code s} for {@code stream} may not wait for an operator, or null. */
  private String pendingLimit(PeerSession s, String stream) {
    List<ContributionApprovals.Request> pending = config.approvals().pending();
    int fromAddress = 0;
    for (ContributionApprovals.Request r : pending) {
      if (r.peer().equals(s.peerId)) {
        if (r.stream().equals(stream) && r.room().equals(config.room())) {
          return null; // asked again: the same request
        }
        return "a request of this peer for '" + r.stream() + "' waits for an operator already";
      }
      PeerSession other = sessions.get(r.peer());
      if (other != null && other.key.equals(s.key)) {
        fromAddress++;
      }
    }
    if (pending.size() >= config.maxPendingApprovals()) {
      return "the operators' queue is full (" + config.maxPendingApprovals() + " requests); try again later";
    }
    if (fromAddress >= config.maxPendingApprovalsPerAddress()) {
      return fromAddress + " requests from this address wait for an operator already";
    }
    return null;
  }

  /** Starts a granted contribution: the ingesting super-peer learns whom to accept, then the contributor. */
  private void start(PeerSession s, String stream, String grantedBy, Instant expiresAt) {
    List<PeerSession> ingests = sessions.superPeers();
    if (ingests.isEmpty()) {
      sessions.refuse(s, ErrorCode.INTERNAL, "no Media Server is online to ingest the stream; try again", "contribute");
      return;
    }
    PeerSession ingest = ingests.get(0);
    Live l = new Live(s.peerId, ingest.peerId, grantedBy, expiresAt);
    live.put(stream, l);
    contributors.put(stream, s.peerId);
    log.info("peer {} contributes stream {} (granted by {} until {}), ingested by {}",
        s.peerId, stream, grantedBy, expiresAt, ingest.peerId);
    sessions.send(ingest, new SignalMessage.Contribution(stream, ContributionStatus.GRANTED, s.peerId, null, null));
    grantTo(s, stream, l);
  }

  private void grantTo(PeerSession s, String stream, Live l) {
    s.handedSuperPeers.add(l.superPeer()); // it may offer to the super-peer that ingests it
    sessions.send(s, new SignalMessage.Contribution(stream, ContributionStatus.GRANTED, null, l.superPeer(), null));
  }

  void stop(PeerSession s, SignalMessage.ContributeStop stop) {
    Live l = live.get(stop.stream());
    if (l == null || !l.contributor().equals(s.peerId)) {
      sessions.refuse(s, ErrorCode.UNKNOWN_STREAM, "this peer is not contributing '" + stop.stream() + "'", "contribute-stop");
      return;
    }
    end(stop.stream(), ContributionStatus.ENDED, "the contributor stopped");
  }

  /** An operator ended it: the grant goes too. */
  void revoke(String stream) {
    Live l = live.get(stream);
    if (l != null) {
      end(stream, ContributionStatus.REVOKED, "revoked by an operator");
      config.approvals().revoke(l.contributor(), stream);
    }
  }

  /**
   * The ingesting super-peer cut the contribution it ingests (its contributor pushed over the
   * super-peer's caps: reason {@code too-fast}). It ends for everybody and the grant goes too; an
   * operator may grant it again. Only that super-peer may say so, only with {@code revoked}.
   */
  void cutByIngest(PeerSession s, SignalMessage.Contribution cut) {
    Live l = live.get(cut.stream());
    if (!s.superPeer || l == null || !l.superPeer().equals(s.peerId)) {
      sessions.refuse(s, ErrorCode.BAD_MESSAGE, "only the super-peer ingesting a stream may end its contribution", "contribution");
      return;
    }
    if (cut.status() != ContributionStatus.REVOKED || (cut.peer() != null && !cut.peer().equals(l.contributor()))) {
      sessions.refuse(s, ErrorCode.BAD_MESSAGE, "a super-peer ends a contribution with status 'revoked' naming its contributor", "contribution");
      return;
    }
    // The reason reaches the contributor and the log: only a short token is passed on.
    String reason = cut.reason() != null && cut.reason().matches("[a-z][a-z-]{0,31}") ? cut.reason() : "cut by the super-peer";
    end(cut.stream(), ContributionStatus.REVOKED, reason);
    config.approvals().revoke(l.contributor(), cut.stream());
  }

  /** The host extended the grant. */
  void renew(String stream, Instant until) {
    Live l = live.get(stream);
    if (l != null) {
      live.put(stream, new Live(l.contributor(), l.superPeer(), l.grantedBy(), until));
      log.info("contribution of stream {} renewed until {}", stream, until);
    }
  }

  /** Ends the contributions whose grant ran out. */
  void sweep(Instant now) {
    for (Map.Entry<String, Live> e : List.copyOf(live.entrySet())) {
      if (!now.isBefore(e.getValue().expiresAt())) {
        end(e.getKey(), ContributionStatus.REVOKED, "expired");
      }
    }
  }

  /** Ends a live contribution: contributor and super-peer are told, every peer loses the stream. */
  private void end(String stream, ContributionStatus status, String reason) {
    Live l = live.remove(stream);
    if (l == null) {
      return;
    }
    contributors.remove(stream);
    log.info("contribution of stream {} by {} {}: {}", stream, l.contributor(), status.wireName(), reason);
    PeerSession ingest = sessions.get(l.superPeer());
    if (ingest != null) {
      sessions.send(ingest, new SignalMessage.Contribution(stream, status, l.contributor(), null, reason));
    }
    PeerSession contributor = sessions.get(l.contributor());
    if (contributor != null) {
      sessions.send(contributor, new SignalMessage.Contribution(stream, status, null, null, reason));
    }
    removeStream.accept(stream);
  }

  /** {@code s} left: what it contributed or ingested ends; its grants and requests go. */
  void forget(PeerSession s) {
    PeerId id = s.peerId;
    for (Map.Entry<String, Live> e : List.copyOf(live.entrySet())) {
      if (e.getValue().contributor().equals(id)) {
        end(e.getKey(), ContributionStatus.ENDED, "the contributor left");
      } else if (e.getValue().superPeer().equals(id)) {
        end(e.getKey(), ContributionStatus.ENDED, "the ingesting super-peer left");
      }
    }
    config.approvals().forget(id);
  }

  /** What operators decided, on the Coordinator's thread. */
  void approvalChanged(ContributionApprovals.Event e) {
    PeerSession s = sessions.get(e.peer());
    switch (e.change()) {
      case APPROVED -> {
        // The peer asked and is still here: it goes live now, as if it had asked again.
        if (s != null && e.room().equals(config.room()) && !live.containsKey(e.stream()) && streams.apply(e.stream()) == null) {
          config.approvals().grant(e.peer(), e.stream()).ifPresent(g -> start(s, e.stream(), "operator", g.expiresAt()));
        }
      }
      case DENIED -> {
        if (s != null) {
          sessions.send(s, new SignalMessage.Contribution(
              e.stream(), ContributionStatus.DENIED, null, null, "an operator denied the request"));
        }
      }
      case REVOKED -> {
        Live l = live.get(e.stream());
        if (l != null && l.contributor().equals(e.peer())) {
          end(e.stream(), ContributionStatus.REVOKED, "the grant was revoked");
        }
      }
      case REQUESTED -> {
        // operators see it in ContributionApprovals.pending()
      }
    }
  }

  /**
   * Answers a failed grant check after a random delay (a quarter to all of {@code
   * grantFailureDelay}), so that timing tells a prober nothing and guessing tokens is slow.
   */
  private void refuseLater(PeerSession s, ErrorCode code, String message) {
    long max = config.grantFailureDelay().toNanos();
    if (max == 0) {
      sessions.refuse(s, code, message, "contribute");
      return;
    }
    long delay = max / 4 + (long) (random.nextDouble() * (max - max / 4));
    try {
      executor.schedule(() -> {
        if (sessions.isOpen(s)) {
          sessions.refuse(s, code, message, "contribute");
        }
      }, delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }
}
