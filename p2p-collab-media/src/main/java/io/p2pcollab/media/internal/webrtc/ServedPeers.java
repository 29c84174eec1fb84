package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.IceCandidate;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentSource;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.media.internal.webrtc.NeighbourSlots.Direction;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peers one super-peer serves, and their neighbour slots ({@link NeighbourSlots}). It answers
 * the offers the Coordinator relays while an inbound slot is free — a granted contributor's beyond
 * the cap, so that its uploads get through — and closes a link that does not open within {@link
 * SuperPeerConfig#connectTimeout()}, or opens and carries no REQUEST (nor PUSH) within {@link
 * SuperPeerConfig#firstRequestTimeout()}: an offer nobody uses must not hold a slot. The super-peer
 * never offers, so it has no outbound slots.
 *
 * <p>Each peer is served within its {@link SuperPeerConfig#servingBudget()}, one {@link
 * io.p2pcollab.core.ServingBudget} per peer ID kept across its links ({@link ServingRecords}). A
 * peer its {@link SegmentServer} cuts — for flooding, or for not draining within {@link
 * SuperPeerConfig#drainTimeout()} — has its link closed, is reported to the Coordinator ({@code
 * report} with the reason) once, and is blocked: its later offers are not answered while its peer
 * ID lives.
 *
 * <p>Threading: confined to the super-peer's executor.
 */
final class ServedPeers {

  private static final Logger log = LoggerFactory.getLogger(ServedPeers.class);

  /** What the table tells its super-peer; on the executor. */
  interface Owner {
    /** Sends {@code message} to the Coordinator. */
    void signal(SignalMessage message);

    /** A slot was taken or freed: the {@code state} heartbeat should say so. */
    void slotsChanged();

    /** Something counted in the stats changed. */
    void statsChanged();
  }

  private final SuperPeerConfig config;
  private final SegmentSource source;
  private final Set<String> served;
  private final Uploads uploads;
  private final Timers timers;
  private final Owner owner;
  private final NeighbourSlots slots;
  private final Map<PeerId, ServedPeer> peers = new HashMap<>();
  private final ServingCounters counters = new ServingCounters();
  private final SegmentServer.Context serving;
  private final ServingRecords records;
  private final ServedPeer.Host host = new Host();
  private long offersRefused;
  private long peersCut;

  /**
   * @param served the streams served now: a live view, contributed streams come and go
   * @param timers the connect timeouts, on the super-peer's executor
   */
  ServedPeers(SuperPeerConfig config, SegmentSource source, Set<String> served, Uploads uploads,
      Timers timers, Clock clock, Owner owner) {
    this.config = config;
    this.source = source;
    this.served = served;
    this.uploads = uploads;
    this.timers = timers;
    this.owner = owner;
    this.slots = new NeighbourSlots(config.maxPeers(), 0, config.firstRequestTimeout(), clock);
    this.serving = new SegmentServer.Context(source, served, counters, clock, config.drainTimeout());
    this.records = new ServingRecords(config.servingBudget());
  }

  /**
   * Answers {@code from}'s offer, on a link from {@code links}, if it gets a slot and was not cut;
   * otherwise leaves it unanswered.
   */
  void offer(PeerId from, String sdp, Links links) {
    if (records.blocked(from)) {
      offersRefused++;
      owner.statsChanged();
      log.debug("refused an offer from {}: it was cut", from);
      return;
    }
    ServedPeer existing = peers.get(from);
    if (existing != null) {
      // a fresh offer from a peer we serve: it restarted its side, so start over (its slot is freed)
      existing.link.close("peer offered again");
    }
    if (uploads.contributes(from)) {
      slots.takeBeyondCap(from, Direction.INBOUND);
    } else if (!slots.take(from, Direction.INBOUND)) {
      // No refusal message exists in the protocol; the offerer times out and tries elsewhere,
      // and the Tracker stops listing a super-peer whose state shows no upload slots.
      offersRefused++;
      owner.statsChanged();
      log.debug("refused an offer from {}: already serving {} peers", from, peers.size());
      return;
    }
    ServedPeer p = new ServedPeer(from, host);
    p.link = links.open(from, PeerLink.Role.ANSWERER, p);
    peers.put(from, p);
    p.connectTimer =
        timers.after(
            config.connectTimeout(),
            () -> {
              if (!p.link.isOpen()) {
                p.link.close("data channel not open after " + config.connectTimeout());
              }
            });
    p.link.acceptOffer(sdp);
    owner.statsChanged();
    owner.slotsChanged();
  }

  /** A candidate of a peer being answered or served. */
  void candidate(PeerId from, IceCandidate candidate) {
    ServedPeer p = peers.get(from);
    if (p != null) {
      p.link.addRemoteCandidate(candidate);
    }
  }

  /** {@code peer} left the Coordinator: closes its link, if any, and forgets its ID. */
  void left(PeerId peer) {
    ServedPeer p = peers.get(peer);
    if (p != null) {
      p.link.close("peer left");
    }
    records.forget(peer);
  }

  /** Closes every link. */
  void closeAll(String reason) {
    for (ServedPeer p : new ArrayList<>(peers.values())) {
      p.link.close(reason);
    }
    peers.clear();
  }

  /** The periodic look at every link: {@link #closeIdle()}, then {@link SegmentServer#watchDrain()}. */
  void sweep() {
    closeIdle();
    Collection<ServedPeer> all = new ArrayList<>(peers.values()); // a cut closes links and leaves the table
    for (ServedPeer p : all) {
      if (p.server != null && p.link.isOpen()) {
        p.server.watchDrain();
      }
    }
  }

  /**
   * Closes every link that has been open {@link SuperPeerConfig#firstRequestTimeout()} without a
   * REQUEST or PUSH. Not a report: an idle link is simply closed.
   */
  void closeIdle() {
    for (PeerId id : slots.idle()) {
      ServedPeer p = peers.get(id);
      if (p != null) {
        p.link.close("idle-link: no request within " + config.firstRequestTimeout());
      } else {
        slots.release(id);
      }
    }
  }

  /** Sends every open link a fresh HAVE of {@code stream}. */
  void announce(String stream) {
    for (ServedPeer p : peers.values()) {
      if (p.link.isOpen() && p.server != null) {
        p.server.announce(stream);
      }
    }
  }

  /** Tells every open link that {@code stream} is served no more (an empty HAVE). */
  void withdraw(String stream) {
    for (ServedPeer p : peers.values()) {
      if (p.link.isOpen() && p.server != null) {
        p.server.withdraw(stream);
      }
    }
  }

  /** Inbound slots free now: the {@code uploadSlots} of {@code state}. */
  int freeSlots() {
    return slots.free(Direction.INBOUND);
  }

  /** Links whose data channel is open. */
  int open() {
    int open = 0;
    for (ServedPeer p : peers.values()) {
      if (p.link.isOpen()) {
        open++;
      }
    }
    return open;
  }

  ServingCounters counters() {
    return counters;
  }

  long offersRefused() {
    return offersRefused;
  }

  long peersCut() {
    return peersCut;
  }

  /**
   * {@code p}'s server cut it: reported once with {@code reason} in {@code stream}, blocked, its
   * link closed.
   */
  private void cut(ServedPeer p, ReportReason reason, String stream) {
    if (records.cut(p.id, reason)) {
      peersCut++;
      log.info("cut {}: {}", p.id, reason.wireName());
      if (stream != null) {
        owner.signal(new SignalMessage.Report(p.id, stream, reason.wireName()));
      }
    }
    p.link.close("cut: " + reason.wireName());
    owner.statsChanged();
  }

  /** What served peers need of the table; on the executor. */
  private final class Host implements ServedPeer.Host {
    @Override
    public void signal(SignalMessage message) {
      owner.signal(message);
    }

    @Override
    public SegmentServer serverFor(ServedPeer p) {
      return new SegmentServer(serving, p.link, records.budget(p.id), (reason, stream) -> cut(p, reason, stream));
    }

    @Override
    public UploadReceiver receiverFor(PeerId peer, WireSink link) {
      return new UploadReceiver(link, peer, uploads);
    }

    @Override
    public void opened(ServedPeer p) {
      slots.opened(p.id);
      owner.statsChanged();
      log.debug("serving {}", p.id);
    }

    @Override
    public void inUse(ServedPeer p) {
      slots.requested(p.id);
    }

    @Override
    public void pushed(ServedPeer p) {
      if (uploads.contributes(p.id)) {
        slots.requested(p.id); // a contributor's uploads are its use; a stranger's refused pushes are not
      }
    }

    @Override
    public void changed() {
      owner.statsChanged();
    }

    @Override
    public void closed(ServedPeer p, String reason) {
      if (peers.get(p.id) == p) {
        peers.remove(p.id);
        slots.release(p.id);
        owner.slotsChanged(); // a slot is free again
      }
      log.debug("stopped serving {}: {}", p.id, reason);
      owner.statsChanged();
    }
  }
}
