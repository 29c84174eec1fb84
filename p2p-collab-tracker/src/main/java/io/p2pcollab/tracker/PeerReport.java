package io.p2pcollab.tracker;

import io.p2pcollab.core.PeerId;
import java.time.Instant;
import java.util.Objects;

/**
 * A {@code report} one peer sent about another, and what the Coordinator made of it. Hosts hear
 * every report through {@link CoordinatorConfig.Builder#onReport}; reports against the super-peer
 * are never counted (viewers cannot ban it) and reach the host only this way and in the log.
 *
 * @param at when it arrived
 * @param reporter the peer that sent it
 * @param reported the peer it names
 * @param againstSuperPeer whether {@code reported} is a super-peer
 * @param stream the stream it names
 * @param reason the reason as the peer sent it: 1–64 characters of <em>untrusted</em> text (escape
 *     it before logging or showing it; the Coordinator's own log writes only {@code
 *     [A-Za-z0-9._-]} verbatim)
 * @param outcome what it did
 */
public record PeerReport(
    Instant at, PeerId reporter, PeerId reported, boolean againstSuperPeer, String stream, String reason, Outcome outcome) {

  public PeerReport {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(reporter, "reporter");
    Objects.requireNonNull(reported, "reported");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(outcome, "outcome");
  }

  /** What a report did. */
  public enum Outcome {
    /** Counted: one more distinct address reported the peer. */
    COUNTED,
    /** Counted, and it was the one that banned the peer's address. */
    BANNED,
    /** The reporter's address had reported this peer's address already: not counted again. */
    DUPLICATE,
    /** The reported peer's address is banned already. */
    ALREADY_BANNED,
    /** The reporter was never the reported peer's neighbour in that stream: ignored ({@code NOT_NEIGHBOUR}). */
    NOT_NEIGHBOUR,
    /** The reporter is banned: ignored ({@code BANNED}). */
    REPORTER_BANNED,
    /** Against the super-peer: for the host to look into, never counted. */
    AGAINST_SUPER_PEER
  }
}
