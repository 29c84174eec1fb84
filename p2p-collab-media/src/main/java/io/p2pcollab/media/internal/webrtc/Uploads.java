package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.ContributionIngest;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalMessage.ContributionStatus;
import io.p2pcollab.core.SuperPeerConfig.ContributionCaps;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contributions one super-peer ingests (docs/protocol.md §7). When the Coordinator grants a
 * peer a stream ({@code contribution granted} with {@code peer}) it is opened in the {@link
 * ContributionIngest} and served; revoked or ended, it is ended there and served no more.
 *
 * <p>Each contribution is metered against {@link ContributionCaps}. A contributor that pushes
 * faster is <em>cut</em>: its stream ends here at once, and the Coordinator is told so with {@code
 * contribution {stream, status: "revoked", peer: <contributor>, reason: "too-fast"}} — the message
 * the super-peer receives, sent back the other way — for it to end the contribution for everyone
 * and tell the contributor {@code revoked}, reason {@code too-fast}.
 *
 * <p>Threading: confined to the super-peer's executor.
 */
final class Uploads {

  /** The reason given to the Coordinator for a contribution cut over its caps. */
  static final String TOO_FAST = "too-fast";

  private static final Logger log = LoggerFactory.getLogger(Uploads.class);

  /** One contribution being ingested: its stream in the Media Server and the meter of its pushes. */
  record Upload(PeerId contributor, ContributionIngest.Contribution contribution, ContributionMeter meter) {
    String stream() {
      return contribution.stream();
    }
  }

  /** Told when a contributed stream starts and stops being served. */
  interface Listener {
    void started(String stream);

    void ended(String stream);
  }

  private final ContributionIngest ingest;
  private final ContributionCaps caps;
  private final Clock clock;
  private final Consumer<SignalMessage> toCoordinator;
  private final Listener listener;
  private final Map<PeerId, Upload> byContributor = new HashMap<>();

  /**
   * @param ingest where contributed segments go, or null to accept no contributions
   * @param toCoordinator sends a message to the Coordinator
   */
  Uploads(ContributionIngest ingest, ContributionCaps caps, Clock clock, Consumer<SignalMessage> toCoordinator,
      Listener listener) {
    this.ingest = ingest;
    this.caps = Objects.requireNonNull(caps, "caps");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.toCoordinator = Objects.requireNonNull(toCoordinator, "toCoordinator");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** The Coordinator changed a contribution this super-peer ingests. */
  void onContribution(SignalMessage.Contribution c) {
    PeerId peer = Objects.requireNonNull(c.peer(), "peer");
    Upload current = byContributor.get(peer);
    if (c.status() == ContributionStatus.GRANTED) {
      if (ingest == null) {
        log.warn("granted contribution {} of {} ignored: this super-peer ingests nothing", c.stream(), peer);
        return;
      }
      if (current != null && current.stream().equals(c.stream())) {
        return;
      }
      if (current != null) {
        end(current);
      }
      try {
        byContributor.put(peer, new Upload(peer, ingest.open(c.stream(), peer), new ContributionMeter(caps, clock)));
        listener.started(c.stream());
      } catch (P2pCollabException e) {
        log.warn("cannot ingest {} from {}: {}", c.stream(), peer, e.getMessage());
      }
    } else if (c.status() == ContributionStatus.REVOKED || c.status() == ContributionStatus.ENDED) {
      if (current != null && current.stream().equals(c.stream())) {
        end(current);
      }
    }
  }

  /** {@code contributor}'s contribution being ingested, or null (none, revoked, ended or cut). */
  Upload of(PeerId contributor) {
    return byContributor.get(contributor);
  }

  /** Whether {@code peer} has a contribution being ingested: its offer is taken beyond the cap. */
  boolean contributes(PeerId peer) {
    return byContributor.containsKey(peer);
  }

  /** {@code upload} went over its caps ({@code why}): ends it and tells the Coordinator. */
  void cut(Upload upload, String why) {
    if (byContributor.get(upload.contributor()) != upload) {
      return; // ended meanwhile
    }
    log.warn("contribution {} of {} cut: {}", upload.stream(), upload.contributor(), why);
    end(upload);
    toCoordinator.accept(new SignalMessage.Contribution(
        upload.stream(), ContributionStatus.REVOKED, upload.contributor(), null, TOO_FAST));
  }

  /** Ends every contribution (the super-peer closes). */
  void endAll() {
    new ArrayList<>(byContributor.values()).forEach(this::end);
  }

  private void end(Upload upload) {
    byContributor.remove(upload.contributor());
    upload.contribution().end();
    listener.ended(upload.stream());
  }
}
