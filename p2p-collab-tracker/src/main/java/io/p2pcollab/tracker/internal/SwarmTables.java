package io.p2pcollab.tracker.internal;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.PeerState;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.StreamHolding;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.tracker.CoordinatorConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Who is in which stream, and what the Coordinator believes of their claims: it feeds the
 * {@link StandardTracker} (thesis Table 4.2) only with checked {@code state}s, learns proven sources
 * from {@code servedBy}, and hands out peer lists that always hold a source that has delivered.
 *
 * <ul>
 *   <li><b>Claims.</b> A viewer's {@code newest} beyond the stream's live edge (what the super-peer
 *       last claimed, plus {@link #EDGE_TOLERANCE}), or {@code segments} over {@code
 *       maxClaimedSegments}, is refused ({@code CLAIM_REFUSED}) and that holding ignored; {@code
 *       uploadSlots} is clamped to {@code maxUploadSlots}. Before the super-peer reports a stream,
 *       claims of it are taken as they are.
 *   <li><b>Proven sources.</b> A peer is proven in a stream for {@link #PROVEN_FOR} after a
 *       neighbour (relayed pair) at another address named it in {@code servedBy}. The super-peer is
 *       proven by its token.
 *   <li><b>Lists.</b> Every {@code joined}/{@code peers} list holds a proven source of the stream;
 *       while it has none (but the asker), the super-peer. The scheduler's choice is otherwise kept.
 * </ul>
 *
 * <p>Threading: the Coordinator's thread only; the Tracker has its own monitor.
 */
final class SwarmTables {

  /** A viewer may be this many segments ahead of the super-peer's last claim (it may have fetched over HTTP first). */
  static final long EDGE_TOLERANCE = 1;
  /** How long one vouch in {@code servedBy} keeps a peer proven. */
  static final Duration PROVEN_FOR = Duration.ofSeconds(10);
  /** A stream that ended may still be listed in a state or two while peers hear of it. */
  static final Duration RECENTLY_REMOVED = Duration.ofSeconds(10);

  private final Sessions sessions;
  private final CoordinatorConfig config;
  private final StandardTracker tracker;
  private final Function<String, StreamInfo> streams;
  private PeerJudge judge;

  /** Stream → the peers in it (joined or holding), who hear {@code peer-left}. */
  private final Map<String, Set<PeerId>> members = new HashMap<>();
  /** Stream → super-peer → the {@code newest} it last claimed. */
  private final Map<String, Map<PeerId, Long>> edges = new HashMap<>();
  /** Stream → peer → when a neighbour last vouched for it. */
  private final Map<String, Map<PeerId, Instant>> proven = new HashMap<>();
  /** Streams removed lately (written by any thread). */
  private final Map<String, Instant> removedAt = new ConcurrentHashMap<>();

  SwarmTables(Sessions sessions, CoordinatorConfig config, StandardTracker tracker, Function<String, StreamInfo> streams) {
    this.sessions = sessions;
    this.config = config;
    this.tracker = tracker;
    this.streams = streams;
  }

  void judge(PeerJudge judge) {
    this.judge = judge;
  }

  void join(PeerSession s, SignalMessage.Join join) {
    StreamInfo info = streams.apply(join.stream());
    if (info == null) {
      sessions.refuse(s, ErrorCode.UNKNOWN_STREAM, "no stream '" + join.stream() + "'", "join");
      return;
    }
    s.joined.add(info.id());
    members.computeIfAbsent(info.id(), k -> new LinkedHashSet<>()).add(s.peerId);
    sessions.send(s, new SignalMessage.Joined(info, peerList(info.id(), s, config.peersPerList())));
  }

  void peers(PeerSession s, SignalMessage.PeersRequest req) {
    if (streams.apply(req.stream()) == null) {
      sessions.refuse(s, ErrorCode.UNKNOWN_STREAM, "no stream '" + req.stream() + "'", "peers");
      return;
    }
    int max = req.max() > 0 ? Math.min(req.max(), config.peersPerList()) : config.peersPerList();
    sessions.send(s, new SignalMessage.Peers(req.stream(), peerList(req.stream(), s, max)));
  }

  void state(PeerSession s, SignalMessage.State st) {
    if (judge.isBanned(s)) {
      return; // a banned peer is no source of anything, and vouches for nobody
    }
    Instant now = sessions.now();
    removedAt.values().removeIf(t -> t.isBefore(now.minus(RECENTLY_REMOVED)));
    PeerState state = st.state();
    List<StreamHolding> kept = new ArrayList<>();
    String refused = null;
    for (StreamHolding h : state.streams()) {
      if (streams.apply(h.stream()) == null) {
        if (!removedAt.containsKey(h.stream())) {
          sessions.refuse(s, ErrorCode.UNKNOWN_STREAM, "no stream '" + h.stream() + "'", "state");
          return;
        }
        continue; // a stream that just ended, which the peer has not heard of yet: not a source of it
      }
      String why = s.superPeer ? null : claimRefusal(h);
      if (why == null) {
        kept.add(h);
      } else if (refused == null) {
        refused = why;
      }
    }
    if (refused != null) {
      sessions.refuse(s, ErrorCode.CLAIM_REFUSED, refused, "state");
    }
    int slots = s.superPeer ? state.uploadSlots() : Math.min(state.uploadSlots(), config.maxUploadSlots());
    tracker.report(s.peerId, s.superPeer, new PeerState(kept, slots));
    s.holding.clear();
    for (StreamHolding h : kept) {
      s.holding.add(h.stream());
      members.computeIfAbsent(h.stream(), k -> new LinkedHashSet<>()).add(s.peerId);
      if (s.superPeer) {
        edges.computeIfAbsent(h.stream(), k -> new HashMap<>()).put(s.peerId, h.newest());
      }
    }
    vouch(s, st.servedBy(), now);
  }

  private String claimRefusal(StreamHolding h) {
    if (h.segments() > config.maxClaimedSegments()) {
      return "stream '" + h.stream() + "': " + h.segments() + " segments is over the " + config.maxClaimedSegments()
          + " a window can hold";
    }
    Map<PeerId, Long> claims = edges.get(h.stream());
    if (claims == null || claims.isEmpty()) {
      return null; // the super-peer has not told us the edge yet
    }
    long edge = claims.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    if (h.newest() > edge + EDGE_TOLERANCE) {
      return "stream '" + h.stream() + "': segment " + h.newest() + " is beyond the live edge";
    }
    return null;
  }

  /** {@code s} got verified segments from {@code servedBy}: those of them that are its neighbours elsewhere are proven. */
  private void vouch(PeerSession s, List<PeerId> servedBy, Instant now) {
    for (PeerId id : servedBy) {
      PeerSession p = sessions.get(id);
      if (p == null || p == s || p.key.equals(s.key) || !s.links.containsKey(id) || judge.isBanned(p)) {
        continue; // a stranger, itself, or a peer at its own address: vouching costs nothing there
      }
      for (String stream : p.holding) {
        if (s.inStream(stream)) {
          proven.computeIfAbsent(stream, k -> new HashMap<>()).put(id, now);
        }
      }
    }
  }

  private boolean isProven(String stream, PeerSession p, Instant now) {
    if (p == null || !p.holding.contains(stream) || judge.isBanned(p)) {
      return false;
    }
    if (p.superPeer) {
      return true;
    }
    Instant at = proven.getOrDefault(stream, Map.of()).get(p.peerId);
    return at != null && now.isBefore(at.plus(PROVEN_FOR));
  }

  /**
   * The scheduler's list for {@code asker}, made to hold a proven source: if it holds none, the
   * best proven source by the scheduler's spread hash (else the super-peer) goes first and the
   * last entry makes room. Super-peers in the list are remembered as handed to {@code asker}.
   */
  private List<PeerEntry> peerList(String stream, PeerSession asker, int max) {
    List<PeerEntry> list = new ArrayList<>(tracker.peersFor(stream, asker.peerId, max));
    Instant now = sessions.now();
    boolean hasProven = list.stream().anyMatch(e -> isProven(stream, sessions.get(e.id()), now));
    if (!hasProven && max > 0) {
      PeerEntry pick = pickProven(stream, asker, now);
      if (pick != null) {
        list.remove(pick);
        list.add(0, pick);
        if (list.size() > max) {
          list.remove(list.size() - 1);
        }
      }
    }
    for (PeerEntry e : list) {
      if (e.superPeer()) {
        asker.handedSuperPeers.add(e.id());
      }
    }
    return list;
  }

  private PeerEntry pickProven(String stream, PeerSession asker, Instant now) {
    PeerSession best = null;
    long bestHash = Long.MAX_VALUE;
    for (PeerId id : proven.getOrDefault(stream, Map.of()).keySet()) {
      PeerSession p = sessions.get(id);
      if (p != null && p != asker && isProven(stream, p, now)) {
        long h = spread(asker, p);
        if (h < bestHash) {
          best = p;
          bestHash = h;
        }
      }
    }
    if (best == null) {
      for (PeerSession p : sessions.superPeers()) {
        if (p != asker && p.holding.contains(stream)) {
          long h = spread(asker, p);
          if (h < bestHash) {
            best = p;
            bestHash = h;
          }
        }
      }
    }
    return best == null ? null : new PeerEntry(best.peerId, best.superPeer);
  }

  /** FNV-1a of {@code asker|peer}: different askers get different proven sources. */
  private static long spread(PeerSession asker, PeerSession p) {
    int hash = 0x811c9dc5;
    for (byte b : (asker.peerId.value() + "|" + p.peerId.value()).getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xFF;
      hash *= 0x01000193;
    }
    return Integer.toUnsignedLong(hash);
  }

  /** Takes a banned peer out of Table 4.2: it is no source and vouches for nobody any more. */
  void withdraw(PeerSession s) {
    tracker.remove(s.peerId);
    s.holding.clear();
    for (Map<PeerId, Instant> byPeer : proven.values()) {
      byPeer.remove(s.peerId);
    }
  }

  /** {@code stream} ended: nobody is in it any more. */
  void streamRemoved(String stream, Instant at) {
    removedAt.put(stream, at);
  }

  /** On the Coordinator's thread, after {@link #streamRemoved}. */
  void dropStream(String stream) {
    members.remove(stream);
    edges.remove(stream);
    proven.remove(stream);
  }

  /** Drops vouches older than {@link #PROVEN_FOR}. */
  void sweep(Instant now) {
    Instant stale = now.minus(PROVEN_FOR);
    for (Map<PeerId, Instant> byPeer : proven.values()) {
      byPeer.values().removeIf(at -> at.isBefore(stale));
    }
    proven.values().removeIf(Map::isEmpty);
  }

  /** {@code s} left: out of every table; the peers that shared a stream with it hear {@code peer-left}. */
  void forget(PeerSession s) {
    PeerId id = s.peerId;
    Set<String> streamsOfPeer = new LinkedHashSet<>(tracker.remove(id));
    streamsOfPeer.addAll(s.joined);
    streamsOfPeer.addAll(s.holding);
    for (Map<PeerId, Long> claims : edges.values()) {
      claims.remove(id);
    }
    for (Map<PeerId, Instant> byPeer : proven.values()) {
      byPeer.remove(id);
    }
    for (String stream : streamsOfPeer) {
      Set<PeerId> set = members.get(stream);
      if (set == null) {
        continue;
      }
      set.remove(id);
      if (set.isEmpty()) {
        members.remove(stream);
      }
      String left = sessions.encode(new SignalMessage.PeerLeft(id, stream));
      for (PeerId other : set) {
        PeerSession o = sessions.get(other);
        if (o != null) {
          o.connection.send(left);
        }
      }
    }
  }

  /** The peers in {@code stream} (a copy). */
  List<PeerId> members(String stream) {
    return new ArrayList<>(members.getOrDefault(stream, new HashSet<>()));
  }

  void clear() {
    members.clear();
    edges.clear();
    proven.clear();
  }
}
