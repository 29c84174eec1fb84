package io.p2pcollab.tracker.internal;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingCodec;
import io.p2pcollab.tracker.CoordinatorConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Relays SDP and ICE between peers, only where a link belongs, so that nobody can make browsers and
 * the super-peer spend neighbour slots on strangers:
 *
 * <ul>
 *   <li>an offer goes to a regular peer only from a peer in one of its streams ({@code join}ed or
 *       held), and to a super-peer only from a peer the Coordinator handed that super-peer (in a
 *       {@code joined}/{@code peers} list, or as {@code uploadTo}); otherwise {@code NOT_NEIGHBOUR};
 *   <li>an answer goes back only along an offer awaiting it; candidates only between peers with an
 *       offer between them (either way) or a relayed pair; otherwise {@code NOT_NEIGHBOUR};
 *   <li>a peer has at most {@code maxPendingOffers} offers awaiting an answer ({@code
 *       RATE_LIMITED}); an answer, the target leaving, or 30 s free a slot;
 *   <li>a banned peer relays nothing ({@code BANNED}).
 * </ul>
 *
 * An answer relayed along an offer makes the two a <em>relayed pair</em>: neighbours, whose reports
 * about each other count and whose {@code servedBy} vouches for each other.
 *
 * <p>Threading: the Coordinator's thread only.
 */
final class SignalRelay {

  /** An offer not answered within this long no longer counts as pending. */
  static final Duration OFFER_TTL = Duration.ofSeconds(30);

  private final Sessions sessions;
  private final CoordinatorConfig config;
  private final PeerJudge judge;

  SignalRelay(Sessions sessions, CoordinatorConfig config, PeerJudge judge) {
    this.sessions = sessions;
    this.config = config;
    this.judge = judge;
  }

  void relay(PeerSession s, SignalMessage.Signal signal) {
    if (judge.isBanned(s)) {
      refuse(s, ErrorCode.BANNED, "banned peers cannot connect to others");
      return;
    }
    if (signal.from() != null) {
      refuse(s, ErrorCode.BAD_MESSAGE, "'from' is set by the server");
      return;
    }
    if (signal.to() == null) {
      refuse(s, ErrorCode.BAD_MESSAGE, "missing field 'to'");
      return;
    }
    PeerSession target = sessions.get(signal.to());
    if (target == null) {
      refuse(s, ErrorCode.UNKNOWN_PEER, "no peer " + signal.to().value() + " is registered");
      return;
    }
    if (target == s) {
      refuse(s, ErrorCode.BAD_MESSAGE, "a peer cannot signal itself");
      return;
    }
    Instant now = sessions.now();
    prune(s, now);
    prune(target, now);
    String refusal = switch (signal.kind()) {
      case OFFER -> offerRefusal(s, target);
      case ANSWER -> target.offers.containsKey(s.peerId) ? null : "no offer from that peer awaits an answer";
      case CANDIDATE ->
          s.offers.containsKey(target.peerId) || target.offers.containsKey(s.peerId) || s.links.containsKey(target.peerId)
              ? null
              : "no offer was relayed between these peers";
    };
    if (refusal != null) {
      refuse(s, ErrorCode.NOT_NEIGHBOUR, refusal);
      return;
    }
    if (signal.kind() == SignalMessage.SignalKind.OFFER
        && !s.offers.containsKey(target.peerId)
        && s.offers.size() >= config.maxPendingOffers()) {
      refuse(s, ErrorCode.RATE_LIMITED, "over " + config.maxPendingOffers() + " offers awaiting an answer");
      return;
    }
    String frame = sessions.encode(signal.relayedFrom(s.peerId));
    if (frame.getBytes(StandardCharsets.UTF_8).length > SignalingCodec.MAX_FRAME_BYTES) {
      refuse(s, ErrorCode.FRAME_TOO_LARGE, "the relayed signal would exceed 64 KiB");
      return;
    }
    switch (signal.kind()) {
      case OFFER -> {
        s.offers.put(target.peerId, now);
        target.offeredBy.add(s.peerId);
      }
      case ANSWER -> {
        target.offers.remove(s.peerId); // the offer it answers is settled
        s.offeredBy.remove(target.peerId);
        link(s, target);
      }
      case CANDIDATE -> {
        // rides along an offer or a link
      }
    }
    target.connection.send(frame);
  }

  private static String offerRefusal(PeerSession s, PeerSession target) {
    if (target.superPeer) {
      return s.handedSuperPeers.contains(target.peerId)
          ? null
          : "the super-peer takes offers only from peers it was handed to";
    }
    return s.sharesStreamWith(target) ? null : "that peer is in none of this peer's streams";
  }

  /** The two exchanged an offer and its answer: neighbours, in the streams both are in now. */
  private static void link(PeerSession a, PeerSession b) {
    Set<String> shared = a.sharedStreams(b);
    a.links.put(b.peerId, shared);
    b.links.put(a.peerId, new HashSet<>(shared));
  }

  /** Drops {@code s}'s offers older than {@link #OFFER_TTL}, on both sides. */
  private void prune(PeerSession s, Instant now) {
    Instant stale = now.minus(OFFER_TTL);
    for (Iterator<Map.Entry<PeerId, Instant>> it = s.offers.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<PeerId, Instant> e = it.next();
      if (e.getValue().isBefore(stale)) {
        it.remove();
        PeerSession t = sessions.get(e.getKey());
        if (t != null) {
          t.offeredBy.remove(s.peerId);
        }
      }
    }
  }

  /** {@code s} left: offers to and from it are settled, its links end. */
  void forget(PeerSession s) {
    for (PeerId t : s.offers.keySet()) {
      PeerSession o = sessions.get(t);
      if (o != null) {
        o.offeredBy.remove(s.peerId);
      }
    }
    for (PeerId p : s.offeredBy) {
      PeerSession o = sessions.get(p);
      if (o != null) {
        o.offers.remove(s.peerId);
      }
    }
    for (PeerId p : s.links.keySet()) {
      PeerSession o = sessions.get(p);
      if (o != null) {
        o.links.remove(s.peerId);
      }
    }
  }

  private void refuse(PeerSession s, ErrorCode code, String message) {
    sessions.refuse(s, code, message, "signal");
  }
}
