package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.ServingBudget;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a serving peer remembers of each neighbour's peer ID while that ID lives (docs/protocol.md
 * §2.5): its {@link ServingBudget}, kept across its links so that offering again does not refill
 * it, and, once it was cut, why — its later offers are not answered. The owner {@linkplain #forget
 * forgets} an ID when the Coordinator says that peer left: peer IDs are random and never come back.
 *
 * <p>Both tables are bounded ({@link #REMEMBERED} entries each) for when no {@code peer-left}
 * comes (a Coordinator restart): past the bound the entry used longest ago is forgotten, so a cut
 * peer could come back only after that many newer ones were cut.
 *
 * <p>Threading: confined to the owner's executor.
 */
final class ServingRecords {

  /** Entries kept per table. */
  static final int REMEMBERED = 4096;

  private final ServingBudget.Config config;
  private final Map<PeerId, ServingBudget> budgets = bounded(true);
  private final Map<PeerId, ReportReason> cut = bounded(false);

  ServingRecords(ServingBudget.Config config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** {@code peer}'s budget: the one it had, or a fresh one on its first link. */
  ServingBudget budget(PeerId peer) {
    return budgets.computeIfAbsent(Objects.requireNonNull(peer, "peer"), p -> new ServingBudget(config));
  }

  /**
   * Records that {@code peer} was cut for {@code reason}.
   *
   * @return true the first time (the caller reports it); false if it was cut before
   */
  boolean cut(PeerId peer, ReportReason reason) {
    return cut.putIfAbsent(Objects.requireNonNull(peer, "peer"), Objects.requireNonNull(reason, "reason")) == null;
  }

  /** Whether {@code peer} was cut: it is not served, nor its offers answered, again. */
  boolean blocked(PeerId peer) {
    return cut.containsKey(peer);
  }

  /** The peers cut, oldest first, with their reasons. */
  Map<PeerId, ReportReason> cut() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(cut));
  }

  /** {@code peer}'s ID is gone (it left): forget everything about it. */
  void forget(PeerId peer) {
    budgets.remove(peer);
    cut.remove(peer);
  }

  private static <V> Map<PeerId, V> bounded(boolean accessOrder) {
    return new LinkedHashMap<>(16, 0.75f, accessOrder) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<PeerId, V> eldest) {
        return size() > REMEMBERED;
      }
    };
  }
}
