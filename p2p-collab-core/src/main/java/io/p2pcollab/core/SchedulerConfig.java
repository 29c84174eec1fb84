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
 * @param maxLateStrikes a regular neighbour whose transfers fell behind their deadline this many
 *     times in the last 60 s is asked for nothing more (default 2); &ge; 1
 * @param minRequest the least time a REQUEST is given, however near the playback deadline (default
 *     1 s); &gt; 0, whole milliseconds
 * @param maxRequest the most time a REQUEST is given, however far the playback deadline (default 5
 *     s); &ge; {@code minRequest}, whole milliseconds
 * @param minProgressSample a transfer is judged by its pace only once this long passed since its
 *     REQUEST and since its latest chunk (default 500 ms); &ge; 0, whole milliseconds
 */
public record SchedulerConfig(
    int superPeerUntilSources,
    int maxOutstandingPerPeer,
    Duration httpFallbackMargin,
    int maxFailuresPerPeer,
    int maxLateStrikes,
    Duration minRequest,
    Duration maxRequest,
    Duration minProgressSample) {

  public SchedulerConfig {
    if (superPeerUntilSources < 0) {
      throw new IllegalArgumentException("superPeerUntilSources must be >= 0: " + superPeerUntilSources);
    }
    if (maxOutstandingPerPeer < 1) {
      throw new IllegalArgumentException("maxOutstandingPerPeer must be >= 1: " + maxOutstandingPerPeer);
    }
    wholeMillis(httpFallbackMargin, "httpFallbackMargin");
    if (maxFailuresPerPeer < 1) {
      throw new IllegalArgumentException("maxFailuresPerPeer must be >= 1: " + maxFailuresPerPeer);
    }
    if (maxLateStrikes < 1) {
      throw new IllegalArgumentException("maxLateStrikes must be >= 1: " + maxLateStrikes);
    }
    wholeMillis(minRequest, "minRequest");
    wholeMillis(maxRequest, "maxRequest");
    wholeMillis(minProgressSample, "minProgressSample");
    if (minRequest.isZero() || maxRequest.compareTo(minRequest) < 0) {
      throw new IllegalArgumentException("need 0 < minRequest <= maxRequest: " + minRequest + ", " + maxRequest);
    }
  }

  private static void wholeMillis(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.toNanos() % 1_000_000 != 0) {
      throw new IllegalArgumentException(name + " must be >= 0 whole ms: " + d);
    }
  }

  /** 1 source, 2 outstanding, 1 s margin, 1 failure, 2 late strikes, requests given 1–5 s, paces judged after 500 ms quiet. */
  public static SchedulerConfig defaults() {
    return new SchedulerConfig(1, 2, Duration.ofSeconds(1), 1, 2, Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofMillis(500));
  }

  public SchedulerConfig withSuperPeerUntilSources(int value) {
    return new SchedulerConfig(value, maxOutstandingPerPeer, httpFallbackMargin, maxFailuresPerPeer, maxLateStrikes,
        minRequest, maxRequest, minProgressSample);
  }

  public SchedulerConfig withMaxOutstandingPerPeer(int value) {
    return new SchedulerConfig(superPeerUntilSources, value, httpFallbackMargin, maxFailuresPerPeer, maxLateStrikes,
        minRequest, maxRequest, minProgressSample);
  }

  public SchedulerConfig withHttpFallbackMargin(Duration value) {
    return new SchedulerConfig(superPeerUntilSources, maxOutstandingPerPeer, value, maxFailuresPerPeer, maxLateStrikes,
        minRequest, maxRequest, minProgressSample);
  }

  public SchedulerConfig withMaxFailuresPerPeer(int value) {
    return new SchedulerConfig(superPeerUntilSources, maxOutstandingPerPeer, httpFallbackMargin, value, maxLateStrikes,
        minRequest, maxRequest, minProgressSample);
  }

  public SchedulerConfig withMaxLateStrikes(int value) {
    return new SchedulerConfig(superPeerUntilSources, maxOutstandingPerPeer, httpFallbackMargin, maxFailuresPerPeer,
        value, minRequest, maxRequest, minProgressSample);
  }

  /** The least and the most time a REQUEST is given. */
  public SchedulerConfig withRequestTime(Duration min, Duration max) {
    return new SchedulerConfig(superPeerUntilSources, maxOutstandingPerPeer, httpFallbackMargin, maxFailuresPerPeer,
        maxLateStrikes, min, max, minProgressSample);
  }

  public SchedulerConfig withMinProgressSample(Duration value) {
    return new SchedulerConfig(superPeerUntilSources, maxOutstandingPerPeer, httpFallbackMargin, maxFailuresPerPeer,
        maxLateStrikes, minRequest, maxRequest, value);
  }
}
