package io.p2pcollab.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link SegmentScheduler#standard(SchedulerConfig)}. Start from {@link #defaults()}
 * and change fields with the {@code with...} methods.
 *
 * @param superPeerUntilSources the super-peer is given to newcomers while fewer regular peers than
 *     this hold the stream (default 1: only until the first regular source exists); &ge; 0
 * @param maxOutstandingPerPeer most requests outstanding to one neighbour at once (default 2); &ge; 1
 * @param httpFallbackMargin how long before the playback deadline a segment nobody can send us is
 *     fetched over HTTP (default 1 s); &ge; 0, whole milliseconds
 * @param maxFailuresPerPeer a neighbour that failed this many times for a segment (error, timeout,
 *     bad hash) is not asked for it again (default 1); &ge; 1
 */
public record SchedulerConfig(
    int superPeerUntilSources,
    int maxOutstandingPerPeer,
    Duration httpFallbackMargin,
    int maxFailuresPerPeer) {

  public SchedulerConfig {
    if (superPeerUntilSources < 0) {
      throw new IllegalArgumentException("superPeerUntilSources must be >= 0: " + superPeerUntilSources);
    }
    if (maxOutstandingPerPeer < 1) {
      throw new IllegalArgumentException("maxOutstandingPerPeer must be >= 1: " + maxOutstandingPerPeer);
    }
    Objects.requireNonNull(httpFallbackMargin, "httpFallbackMargin");
    if (httpFallbackMargin.isNegative() || httpFallbackMargin.toNanos() % 1_000_000 != 0) {
      throw new IllegalArgumentException("httpFallbackMargin must be >= 0 whole ms: " + httpFallbackMargin);
    }
    if (maxFailuresPerPeer < 1) {
      throw new IllegalArgumentException("maxFailuresPerPeer must be >= 1: " + maxFailuresPerPeer);
    }
  }

  /** 1 source, 2 outstanding, 1 s margin, 1 failure. */
  public static SchedulerConfig defaults() {
    return new SchedulerConfig(1, 2, Duration.ofSeconds(1), 1);
  }

  public SchedulerConfig withSuperPeerUntilSources(int value) {
    return new SchedulerConfig(value, maxOutstandingPerPeer, httpFallbackMargin, maxFailuresPerPeer);
  }

  public SchedulerConfig withMaxOutstandingPerPeer(int value) {
    return new SchedulerConfig(superPeerUntilSources, value, httpFallbackMargin, maxFailuresPerPeer);
  }

  public SchedulerConfig withHttpFallbackMargin(Duration value) {
    return new SchedulerConfig(superPeerUntilSources, maxOutstandingPerPeer, value, maxFailuresPerPeer);
  }

  public SchedulerConfig withMaxFailuresPerPeer(int value) {
    return new SchedulerConfig(superPeerUntilSources, maxOutstandingPerPeer, httpFallbackMargin, value);
  }
}
