package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of a {@link SuperPeer}. Build with {@link #builder(String...)}.
 *
 * @param streams the streams it serves from its segment source and reports in {@code state};
 *     at least one
 * @param maxPeers how many peers it serves at once (default 4); offers beyond are refused. These
 *     are its <em>inbound</em> neighbour slots: the super-peer never offers, so it has no outbound ones
 * @param servingBudget how much one neighbour may ask of it (default {@link
 *     ServingBudget.Config#defaults()}: 4 transfers at once, bursts of 16 REQUESTs refilling at 8 per
 *     second, cut past 32 refusals piled up; docs/protocol.md §2.5): a REQUEST over it is answered
 *     BUSY with no work, and a neighbour that keeps asking anyway is cut, reported {@code flooding}
 *     and never served again while its peer ID lives
 * @param stateInterval how often it sends {@code state} (default 1 s)
 * @param connectTimeout how long an answered peer may take to open its data channel before its
 *     slot is freed (default 10 s)
 * @param firstRequestTimeout how long a peer's data channel may stay open without one REQUEST (or,
 *     from a granted contributor, one PUSH) before it is closed and its slot freed (default 5 s): an offer
 *     that is never used must not hold a slot
 * @param drainTimeout how long a neighbour's data channel may stay paused above the high-water
 *     mark (1 MiB buffered) without the buffered amount going down before the neighbour is cut and
 *     reported {@code not-draining} (default 30 s: a page starved of CPU may not drain for seconds): one that never takes what it asked for must
 *     not hold a slot and buffer memory for ever. Any drop in the buffered amount restarts it, so a
 *     slow but live link is never cut
 * @param contributionCaps how fast a contributor may push one contributed stream (default {@link
 *     ContributionCaps#DEFAULT}); over a cap the contribution is cut
 * @param allowLoopback make WebRTC work on a host whose only network is loopback, such as tests
 *     and one-machine demos (default false)
 * @param token the {@code hello} token that authorizes the super-peer role, or null
 */
public record SuperPeerConfig(
    List<String> streams,
    int maxPeers,
    ServingBudget.Config servingBudget,
    Duration stateInterval,
    Duration connectTimeout,
    Duration firstRequestTimeout,
    Duration drainTimeout,
    ContributionCaps contributionCaps,
    boolean allowLoopback,
    String token) {

  public SuperPeerConfig {
    streams = List.copyOf(streams);
    if (streams.isEmpty()) {
      throw new IllegalArgumentException("a super-peer serves at least one stream");
    }
    streams.forEach(s -> Checks.name(s, "stream"));
    if (maxPeers < 1) {
      throw new IllegalArgumentException("maxPeers must be >= 1: " + maxPeers);
    }
    Objects.requireNonNull(servingBudget, "servingBudget");
    requirePositive(stateInterval, "stateInterval");
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(firstRequestTimeout, "firstRequestTimeout");
    requirePositive(drainTimeout, "drainTimeout");
    Objects.requireNonNull(contributionCaps, "contributionCaps");
  }

  /** A builder with every default, serving {@code streams}. */
  public static Builder builder(String... streams) {
    return new Builder(List.of(streams));
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }

  /**
   * The most one contributed stream may push, averaged over a sliding {@code window}: pushed bytes
   * (every PUSH chunk received, whole or not, stored or refused) and segments (every segment pushed
   * to its end). A contributor over either cap has its contribution cut: the push is refused, the
   * stream ends and the Coordinator is told ({@code contribution} {@code revoked}, reason {@code
   * too-fast}), which ends it for everyone with that reason.
   *
   * @param bitsPerSecond pushed bits per second, averaged over the window (default 4 000 000:
   *     4 Mbit/s, twice what a browser's 720p camera recording needs); &ge; 8
   * @param segmentsPerSecond pushed segments per second, averaged over the window (default 4: a
   *     recorder makes one per second); &ge; 1
   * @param window the span averaged over (default 4 s), so that a burst after a stall is allowed;
   *     whole milliseconds, at least 1 ms
   */
  public record ContributionCaps(long bitsPerSecond, int segmentsPerSecond, Duration window) {

    /** 4 Mbit/s and 4 segments/s, averaged over 4 s. */
    public static final ContributionCaps DEFAULT = new ContributionCaps(4_000_000, 4, Duration.ofSeconds(4));

    public ContributionCaps {
      if (bitsPerSecond < 8) {
        throw new IllegalArgumentException("bitsPerSecond must be >= 8: " + bitsPerSecond);
      }
      if (segmentsPerSecond < 1) {
        throw new IllegalArgumentException("segmentsPerSecond must be >= 1: " + segmentsPerSecond);
      }
      requirePositive(window, "window");
      if (window.toNanos() % 1_000_000 != 0 || window.toMillis() < 1) {
        throw new IllegalArgumentException("window must be whole milliseconds: " + window);
      }
    }

    /** The bytes allowed within one window (at least one). */
    public long bytesPerWindow() {
      return perWindow(bitsPerSecond / 8);
    }

    /** The segments allowed within one window (at least one). */
    public long segmentsPerWindow() {
      return perWindow(segmentsPerSecond);
    }

    private long perWindow(long perSecond) {
      long ms = window.toMillis();
      if (perSecond > Long.MAX_VALUE / ms) {
        return Long.MAX_VALUE; // a cap so high it never binds
      }
      return Math.max(1, perSecond * ms / 1000);
    }
  }

  /** Builds a {@link SuperPeerConfig}; every setter documents its default on the record. */
  public static final class Builder {
    private List<String> streams;
    private int maxPeers = 4;
    private ServingBudget.Config servingBudget = ServingBudget.Config.defaults();
    private Duration stateInterval = Duration.ofSeconds(1);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration firstRequestTimeout = Duration.ofSeconds(5);
    private Duration drainTimeout = Duration.ofSeconds(30);
    private ContributionCaps contributionCaps = ContributionCaps.DEFAULT;
    private boolean allowLoopback;
    private String token;

    private Builder(List<String> streams) {
      this.streams = streams;
    }

    public Builder streams(List<String> streams) {
      this.streams = List.copyOf(streams);
      return this;
    }

    public Builder maxPeers(int maxPeers) {
      this.maxPeers = maxPeers;
      return this;
    }

    public Builder servingBudget(ServingBudget.Config servingBudget) {
      this.servingBudget = servingBudget;
      return this;
    }

    public Builder stateInterval(Duration stateInterval) {
      this.stateInterval = stateInterval;
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    public Builder firstRequestTimeout(Duration firstRequestTimeout) {
      this.firstRequestTimeout = firstRequestTimeout;
      return this;
    }

    public Builder drainTimeout(Duration drainTimeout) {
      this.drainTimeout = drainTimeout;
      return this;
    }

    public Builder contributionCaps(ContributionCaps contributionCaps) {
      this.contributionCaps = contributionCaps;
      return this;
    }

    public Builder allowLoopback(boolean allowLoopback) {
      this.allowLoopback = allowLoopback;
      return this;
    }

    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /**
     * @throws IllegalArgumentException if a value is out of range
     */
    public SuperPeerConfig build() {
      return new SuperPeerConfig(
          streams,
          maxPeers,
          servingBudget,
          stateInterval,
          connectTimeout,
          firstRequestTimeout,
          drainTimeout,
          contributionCaps,
          allowLoopback,
          token);
    }
  }
}
