package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What a viewer tells the Coordinator about its neighbours: a {@code report} against each one that
 * lied, sent bad data, broke the wire protocol or flooded it with requests — once per peer, whatever else it does afterwards — and, in every {@code
 * state}, the {@code servedBy} list of those that delivered a verified segment since the previous
 * one. A reported peer is blocked: never connected to again during this visit.
 *
 * <p>Threading: confined to the viewer's executor.
 */
final class Testimony {

  private final Consumer<SignalMessage> toCoordinator;
  private final Map<PeerId, ReportReason> reported = new LinkedHashMap<>();
  private final Set<PeerId> servedBy = new LinkedHashSet<>();

  Testimony(Consumer<SignalMessage> toCoordinator) {
    this.toCoordinator = Objects.requireNonNull(toCoordinator, "toCoordinator");
  }

  /**
   * Reports {@code peer} for {@code reason} in {@code stream}, unless it was reported before.
   *
   * @return true if this is its first report (the caller cuts it); false if it was reported already
   */
  boolean report(PeerId peer, String stream, ReportReason reason) {
    if (reported.putIfAbsent(peer, reason) != null) {
      return false;
    }
    servedBy.remove(peer);
    toCoordinator.accept(new SignalMessage.Report(peer, stream, reason.wireName()));
    return true;
  }

  /** Whether {@code peer} was reported: it is not connected to again. */
  boolean blocked(PeerId peer) {
    return reported.containsKey(peer);
  }

  /** The peers reported, in order, each with its reason's wire name. */
  Map<PeerId, String> reported() {
    Map<PeerId, String> out = new LinkedHashMap<>();
    reported.forEach((p, r) -> out.put(p, r.wireName()));
    return Collections.unmodifiableMap(out);
  }

  /** {@code peer} delivered a segment that matched what the Media Server published. */
  void delivered(PeerId peer) {
    if (!reported.containsKey(peer)) {
      servedBy.add(peer);
    }
  }

  /**
   * The {@code servedBy} of the next {@code state}: the first {@value SignalMessage.State#MAX_SERVED_BY}
   * peers that delivered since the previous call, which starts the count afresh.
   */
  List<PeerId> takeServedBy() {
    List<PeerId> out = new ArrayList<>(SignalMessage.State.MAX_SERVED_BY);
    for (PeerId p : servedBy) {
      if (out.size() == SignalMessage.State.MAX_SERVED_BY) {
        break;
      }
      out.add(p);
    }
    servedBy.clear();
    return out;
  }
}
