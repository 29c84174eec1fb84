package io.p2pcollab.core;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Tracker: which peers hold which stream (thesis Table 4.2) and what each last reported
 * holding, and the peer lists handed to newcomers, chosen by a {@link SegmentScheduler}.
 *
 * <p>Peers report their state on their own ({@code state} messages, when it changes and about every
 * second); the {@link Coordinator} removes a peer that leaves or falls silent. Readers get
 * immutable snapshots.
 *
 * <p>Threading: safe for concurrent use; every method returns quickly (a monitor guards the tables,
 * and nothing is called while holding it).
 */
public interface Tracker {

  /**
   * Records what {@code peer} holds. A peer that lists a stream is a source of it.
   *
   * @param superPeer whether it is the Media Server's super-peer
   */
  void report(PeerId peer, boolean superPeer, PeerState state);

  /** Removes {@code peer} from every table; returns the streams it was a source of. */
  List<String> remove(PeerId peer);

  /**
   * Up to {@code max} peers for {@code asker} to connect to for {@code stream}, never the asker,
   * chosen by the scheduler (the super-peer only while the swarm is short).
   */
  List<PeerEntry> peersFor(String stream, PeerId asker, int max);

  /** Thesis Table 4.2: stream → its sources, as an immutable snapshot. */
  Map<String, List<PeerId>> sources();

  /** The state {@code peer} last reported, if it is known. */
  Optional<PeerState> stateOf(PeerId peer);
}
