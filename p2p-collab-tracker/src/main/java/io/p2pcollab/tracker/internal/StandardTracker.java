package io.p2pcollab.tracker.internal;

import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.PeerSelectionInput;
import io.p2pcollab.core.PeerState;
import io.p2pcollab.core.SegmentScheduler;
import io.p2pcollab.core.StreamHolding;
import io.p2pcollab.core.Tracker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The in-memory Tracker. A monitor guards the two tables; the scheduler is a pure function and is
 * called on a snapshot taken under the monitor.
 */
public final class StandardTracker implements Tracker {

  private record Entry(boolean superPeer, PeerState state) {}

  private final SegmentScheduler scheduler;
  private final Map<PeerId, Entry> peers = new HashMap<>();
  /** Thesis Table 4.2, kept in insertion order so snapshots read naturally. */
  private final Map<String, Set<PeerId>> sources = new LinkedHashMap<>();

  public StandardTracker(SegmentScheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  @Override
  public synchronized void report(PeerId peer, boolean superPeer, PeerState state) {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(state, "state");
    Entry old = peers.put(peer, new Entry(superPeer, state));
    if (old != null) {
      for (StreamHolding h : old.state().streams()) {
        unlist(h.stream(), peer);
      }
    }
    for (StreamHolding h : state.streams()) {
      sources.computeIfAbsent(h.stream(), s -> new LinkedHashSet<>()).add(peer);
    }
  }

  @Override
  public synchronized List<String> remove(PeerId peer) {
    Entry old = peers.remove(peer);
    if (old == null) {
      return List.of();
    }
    List<String> streams = new ArrayList<>();
    for (StreamHolding h : old.state().streams()) {
      unlist(h.stream(), peer);
      streams.add(h.stream());
    }
    return streams;
  }

  private void unlist(String stream, PeerId peer) {
    Set<PeerId> set = sources.get(stream);
    if (set != null && set.remove(peer) && set.isEmpty()) {
      sources.remove(stream);
    }
  }

  @Override
  public List<PeerEntry> peersFor(String stream, PeerId asker, int max) {
    List<PeerSelectionInput.Candidate> candidates = new ArrayList<>();
    synchronized (this) {
      for (PeerId id : sources.getOrDefault(stream, Set.of())) {
        Entry e = peers.get(id);
        for (StreamHolding h : e.state().streams()) {
          if (h.stream().equals(stream)) {
            candidates.add(
                new PeerSelectionInput.Candidate(
                    id, e.superPeer(), h.segments(), h.newest(), e.state().uploadSlots()));
          }
        }
      }
    }
    return scheduler.selectPeers(new PeerSelectionInput(stream, asker, candidates, max)).peers();
  }

  @Override
  public synchronized Map<String, List<PeerId>> sources() {
    Map<String, List<PeerId>> copy = new LinkedHashMap<>();
    sources.forEach((stream, set) -> copy.put(stream, List.copyOf(set)));
    return java.util.Collections.unmodifiableMap(copy);
  }

  @Override
  public synchronized Optional<PeerState> stateOf(PeerId peer) {
    return Optional.ofNullable(peers.get(peer)).map(Entry::state);
  }
}
