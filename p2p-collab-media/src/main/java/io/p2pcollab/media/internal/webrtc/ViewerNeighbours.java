package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSource;
import io.p2pcollab.core.ServingBudget;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.media.internal.webrtc.NeighbourSlots.Direction;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link WebRtcViewer}'s neighbours and their slots ({@link NeighbourSlots}): it offers to listed
 * peers while an outbound slot is free, never to a peer it reported; it answers no offer (no
 * inbound slots), so an unsolicited offer takes nothing from the neighbours it chose; a link that
 * carries no REQUEST either way within the first-request timeout of opening is closed. What the
 * neighbours answer goes to the {@link SegmentFetcher}.
 *
 * <p>What the neighbours ask is answered by a {@link SegmentServer} with nothing to serve, within
 * the standard serving budget (docs/protocol.md §2.5), one per peer ID kept across its links
 * ({@link ServingRecords}). A neighbour cut for flooding or for a violation of the wire protocol is
 * reported and blocked through the fetcher, like one that lied about a segment.
 *
 * <p>Threading: confined to the viewer's executor.
 */
final class ViewerNeighbours {

  private static final Logger log = LoggerFactory.getLogger(ViewerNeighbours.class);
  /** What the viewer holds to share with its neighbours: nothing. */
  private static final SegmentSource NOTHING = new SegmentSource() {
    @Override
    public Optional<byte[]> segment(SegmentRef ref) {
      return Optional.empty();
    }

    @Override
    public List<SegmentRef> window(String stream) {
      return List.of();
    }

    @Override
    public AutoCloseable onSegment(Consumer<SegmentRef> listener) {
      return () -> {};
    }
  };
  /** Unused: nothing is ever sent to drain. */
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

  private final Duration firstRequestTimeout;
  private final NeighbourSlots slots;
  private final Testimony testimony;
  private final Consumer<SignalMessage> signal;
  private final Supplier<SegmentFetcher> fetcher;
  private final Map<PeerId, ViewerNeighbour> neighbours = new LinkedHashMap<>();
  /** The WebRTC side of each neighbour's link, for its signaling. */
  private final Map<PeerId, SignaledLink> links = new LinkedHashMap<>();
  private final ViewerNeighbour.Owner owner = new Owner();
  /** The viewer serves nothing: its neighbours' REQUESTs all meet NOT_FOUND, within their budgets. */
  private final SegmentServer.Context serving;
  private final ServingRecords budgets = new ServingRecords(ServingBudget.Config.defaults());

  /**
   * @param maxNeighbours outbound slots
   * @param signal sends a message to the Coordinator
   * @param fetcher the viewer's fetcher, which judges what neighbours answer
   */
  ViewerNeighbours(int maxNeighbours, Duration firstRequestTimeout, Clock clock, Testimony testimony,
      Consumer<SignalMessage> signal, Supplier<SegmentFetcher> fetcher) {
    this.firstRequestTimeout = firstRequestTimeout;
    this.slots = new NeighbourSlots(0, maxNeighbours, firstRequestTimeout, clock);
    this.testimony = testimony;
    this.signal = signal;
    this.fetcher = fetcher;
    this.serving = new SegmentServer.Context(NOTHING, List.of(), new ServingCounters(), clock, DRAIN_TIMEOUT);
  }

  /**
   * Offers to the peers listed for {@code stream}, on links from {@code links}, while outbound
   * slots are free; skips itself, neighbours and reported peers.
   */
  void offerTo(String stream, List<PeerEntry> peers, PeerId self, Links links) {
    for (PeerEntry entry : peers) {
      PeerId id = entry.id();
      if (id.equals(self) || slots.holds(id) || testimony.blocked(id)) {
        continue;
      }
      if (!slots.take(id, Direction.OUTBOUND)) {
        return; // every outbound slot taken
      }
      ViewerNeighbour n = new ViewerNeighbour(id, entry.superPeer(), stream, owner);
      SignaledLink link = links.open(id, PeerLink.Role.OFFERER, n);
      n.link = link;
      neighbours.put(id, n);
      this.links.put(id, link);
      link.startOffer();
    }
  }

  /** An answer or candidate relayed from a peer; anything from a peer not offered to is ignored. */
  void onSignal(SignalMessage.Signal s) {
    SignaledLink link = links.get(s.from());
    if (link == null) {
      log.debug("ignored a {} from {}: a viewer only talks to peers it offered to", s.kind(), s.from());
      return;
    }
    switch (s.kind()) {
      case ANSWER -> link.acceptAnswer(s.sdp());
      case CANDIDATE -> link.addRemoteCandidate(s.candidate());
      case OFFER -> log.debug("ignored an offer from {}: a viewer answers no offer", s.from());
    }
  }

  /** A REQUEST goes to {@code n}: its link is in use. */
  void requesting(ViewerNeighbour n) {
    slots.requested(n.id);
  }

  /** Closes the link to {@code peer}, if any. */
  void close(PeerId peer, String reason) {
    ViewerNeighbour n = neighbours.get(peer);
    if (n != null) {
      n.link.close(reason);
    }
  }

  void closeAll(String reason) {
    for (ViewerNeighbour n : new ArrayList<>(neighbours.values())) {
      n.link.close(reason);
    }
  }

  /** Closes every link open the first-request timeout without a REQUEST either way (not a report). */
  void closeIdle() {
    for (PeerId id : slots.idle()) {
      ViewerNeighbour n = neighbours.get(id);
      if (n != null) {
        n.link.close("idle-link: no request within " + firstRequestTimeout);
      } else {
        slots.release(id);
      }
    }
  }

  /** Neighbours whose channel is open. */
  int open() {
    return (int) neighbours.values().stream().filter(n -> n.link.isOpen()).count();
  }

  /** What {@code peer} claims of {@code stream} (empty if it is no neighbour). */
  Set<SegmentRef> claims(PeerId peer, String stream) {
    ViewerNeighbour n = neighbours.get(peer);
    return n == null ? Set.of() : Set.copyOf(n.claims(stream));
  }

  /** The neighbours in the order they were offered to: a live, read-only view. */
  Collection<ViewerNeighbour> view() {
    return Collections.unmodifiableCollection(neighbours.values());
  }

  /** What the neighbours hand the viewer; on the executor. */
  private final class Owner implements ViewerNeighbour.Owner {
    @Override
    public void signal(SignalMessage message) {
      ViewerNeighbours.this.signal.accept(message);
    }

    @Override
    public void opened(ViewerNeighbour n) {
      slots.opened(n.id);
      log.debug("viewer connected to {}", n.id);
    }

    @Override
    public SegmentServer serverFor(ViewerNeighbour n) {
      return new SegmentServer(serving, n.link, budgets.budget(n.id),
          (reason, stream) -> misbehaved(n, reason, "cut by the viewer's serving side: " + reason.wireName()));
    }

    @Override
    public void misbehaved(ViewerNeighbour n, ReportReason reason, String detail) {
      fetcher.get().cut(n, reason, detail);
    }

    @Override
    public void announced(ViewerNeighbour n) {
      fetcher.get().dispatch();
    }

    @Override
    public void requested(ViewerNeighbour n) {
      slots.requested(n.id);
    }

    @Override
    public void chunk(ViewerNeighbour n, Fetch f, WireMessage.Data d) {
      fetcher.get().chunk(n, f, d);
    }

    @Override
    public void statement(ViewerNeighbour n, Fetch f, WireMessage.Statement s) {
      fetcher.get().statement(n, f, s);
    }

    @Override
    public void refused(ViewerNeighbour n, Fetch f, WireMessage.Error e) {
      fetcher.get().refused(n, f, e);
    }

    @Override
    public void closed(ViewerNeighbour n, String reason) {
      if (neighbours.get(n.id) == n) {
        neighbours.remove(n.id);
        links.remove(n.id);
        slots.release(n.id);
      }
      for (Fetch f : new ArrayList<>(n.downloads.values())) {
        log.debug("link to {} closed during {}: {}", n.id, f.ref, reason);
        fetcher.get().elsewhere(n, f);
      }
    }
  }
}
