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
 * @param maxPeers how many peers it serves at once (default 4); offers beyond are refused
 * @param maxRequestsPerPeer how many REQUESTs of one peer it serves at once (default 4); more get
 *     BUSY
 * @param stateInterval how often it sends {@code state} (default 1 s)
 * @param connectTimeout how long an answered peer may take to open its data channel before its
 *     slot is freed (default 10 s)
 * @param allowLoopback make WebRTC work on a host whose only network is loopback, such as tests
 *     and one-machine demos (default false)
 * @param token the {@code hello} token that authorizes the super-peer role, or null
 */
public record SuperPeerConfig(
    List<String> streams,
    int maxPeers,
    int maxRequestsPerPeer,
    Duration stateInterval,
    Duration connectTimeout,
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
    if (maxRequestsPerPeer < 1) {
      throw new IllegalArgumentException("maxRequestsPerPeer must be >= 1: " + maxRequestsPerPeer);
    }
    requirePositive(stateInterval, "stateInterval");
    requirePositive(connectTimeout, "connectTimeout");
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

  /** Builds a {@link SuperPeerConfig}; every setter documents its default on the record. */
  public static final class Builder {
    private List<String> streams;
    private int maxPeers = 4;
    private int maxRequestsPerPeer = 4;
    private Duration stateInterval = Duration.ofSeconds(1);
    private Duration connectTimeout = Duration.ofSeconds(10);
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

    public Builder maxRequestsPerPeer(int maxRequestsPerPeer) {
      this.maxRequestsPerPeer = maxRequestsPerPeer;
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
          streams, maxPeers, maxRequestsPerPeer, stateInterval, connectTimeout, allowLoopback, token);
    }
  }
}
