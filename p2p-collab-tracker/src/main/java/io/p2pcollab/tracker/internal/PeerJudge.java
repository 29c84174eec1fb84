package io.p2pcollab.tracker.internal;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.tracker.CoordinatorConfig;
import io.p2pcollab.tracker.PeerReport;
import io.p2pcollab.tracker.PeerReport.Outcome;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports and bans. A report has to cost its sender something, or two sockets ban anyone: it counts
 * only from a peer that was the reported peer's neighbour in that stream (the Coordinator relayed
 * their offer and answer), and once per reporting address. {@code reportsToBan} distinct addresses
 * ban the reported peer's <em>address</em> for {@code banDuration}, so a new ID does not clear it,
 * and viewers behind a shared NAT lose only the right to serve. The super-peer is never banned:
 * reports against it go to the host. A banned peer's reports are ignored.
 *
 * <p>Threading: the Coordinator's thread only.
 */
final class PeerJudge {

  private static final Logger log = LoggerFactory.getLogger(PeerJudge.class);

  private final Sessions sessions;
  private final CoordinatorConfig config;
  /** Takes a newly banned peer out of the swarm tables. */
  private final Consumer<PeerSession> withdraw;
  /** Reported address → reporting address → when it reported. Entries last {@code banDuration}. */
  private final Map<AddressKey, Map<AddressKey, Instant>> reports = new HashMap<>();
  /** Banned address → until when. */
  private final Map<AddressKey, Instant> bans = new HashMap<>();

  PeerJudge(Sessions sessions, CoordinatorConfig config, Consumer<PeerSession> withdraw) {
    this.sessions = sessions;
    this.config = config;
    this.withdraw = withdraw;
  }

  /** Whether {@code s}'s address is banned now; never true for a super-peer. */
  boolean isBanned(PeerSession s) {
    if (s.superPeer) {
      return false;
    }
    Instant until = bans.get(s.key);
    return until != null && sessions.now().isBefore(until);
  }

  void report(PeerSession s, SignalMessage.Report r) {
    PeerSession target = sessions.get(r.peer());
    if (target == null) {
      sessions.refuse(s, ErrorCode.UNKNOWN_PEER, "no peer " + r.peer().value() + " is registered", "report");
      return;
    }
    if (target == s) {
      sessions.refuse(s, ErrorCode.BAD_MESSAGE, "a peer cannot report itself", "report");
      return;
    }
    Instant now = sessions.now();
    Outcome outcome = judge(s, target, r.stream(), now);
    String reason = LogText.escape(r.reason());
    switch (outcome) {
      case REPORTER_BANNED ->
          sessions.refuse(s, ErrorCode.BANNED, "reports from a banned address are ignored", "report");
      case NOT_NEIGHBOUR ->
          sessions.refuse(s, ErrorCode.NOT_NEIGHBOUR,
              "only a neighbour in stream '" + r.stream() + "' can report this peer", "report");
      case AGAINST_SUPER_PEER ->
          log.warn("super-peer {} reported by {} in stream {}: {} (not counted: for the host to look into)",
              target.peerId, s.peerId, r.stream(), reason);
      case BANNED ->
          log.info("peer {} banned for {}: reported by {} addresses in stream {} (last: {})",
              target.peerId, config.banDuration(), config.reportsToBan(), r.stream(), reason);
      case COUNTED -> log.info("peer {} reported by {} in stream {}: {}", target.peerId, s.peerId, r.stream(), reason);
      default -> log.debug("report of {} by {} not counted ({}): {}", target.peerId, s.peerId, outcome, reason);
    }
    PeerReport report = new PeerReport(now, s.peerId, target.peerId, target.superPeer, r.stream(), r.reason(), outcome);
    try {
      config.onReport().accept(report);
    } catch (RuntimeException e) {
      log.warn("the report listener failed", e);
    }
  }

  private Outcome judge(PeerSession s, PeerSession target, String stream, Instant now) {
    if (isBanned(s)) {
      return Outcome.REPORTER_BANNED;
    }
    if (!s.linkedIn(target, stream)) {
      return Outcome.NOT_NEIGHBOUR;
    }
    if (target.superPeer) {
      return Outcome.AGAINST_SUPER_PEER;
    }
    if (isBanned(target)) {
      return Outcome.ALREADY_BANNED;
    }
    Map<AddressKey, Instant> by = reports.computeIfAbsent(target.key, k -> new HashMap<>());
    if (by.putIfAbsent(s.key, now) != null) {
      return Outcome.DUPLICATE;
    }
    if (by.size() < config.reportsToBan()) {
      return Outcome.COUNTED;
    }
    ban(target.key, now);
    return Outcome.BANNED;
  }

  private void ban(AddressKey key, Instant now) {
    bans.put(key, now.plus(config.banDuration()));
    reports.remove(key);
    for (PeerSession o : sessions.all()) {
      if (o.registered() && !o.superPeer && o.key.equals(key)) {
        withdraw.accept(o);
        sessions.refuse(o, ErrorCode.BANNED,
            "reported by " + config.reportsToBan() + " addresses: not handed out for " + config.banDuration(), "report");
      }
    }
  }

  /** Forgets bans that ended and reports older than {@code banDuration}. */
  void sweep(Instant now) {
    bans.values().removeIf(until -> !now.isBefore(until));
    Instant oldest = now.minus(config.banDuration());
    for (Map<AddressKey, Instant> by : reports.values()) {
      by.values().removeIf(at -> at.isBefore(oldest));
    }
    reports.values().removeIf(Map::isEmpty);
  }
}
