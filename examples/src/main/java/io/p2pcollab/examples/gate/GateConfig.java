package io.p2pcollab.examples.gate;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The limits an {@link HttpGate} enforces. Build with {@link #builder()}; every default is on its
 * setter.
 *
 * @param maxConnectionsPerAddress open connections one network address (IPv4 address, IPv6 /64) may hold
 * @param maxConnections open connections in all
 * @param headerTimeout how long a client may take to send a complete request header: from accept
 *     for the first request (TLS handshake included), from its first byte for each later one
 * @param idleTimeout how long a connection may make no progress: a kept-alive connection waiting
 *     for its next request, a request body that stops arriving, a client that stops reading
 * @param maxHeaderBytes the largest request header (request line and fields); larger is answered 431
 * @param maxBodyBytes the largest request body (by {@code Content-Length}); larger is answered 413
 * @param uncappedAddresses addresses not counted against {@code maxConnectionsPerAddress}
 */
public record GateConfig(
    int maxConnectionsPerAddress,
    int maxConnections,
    Duration headerTimeout,
    Duration idleTimeout,
    int maxHeaderBytes,
    long maxBodyBytes,
    Set<InetAddress> uncappedAddresses) {

  public GateConfig {
    if (maxConnectionsPerAddress < 1 || maxConnections < 1) {
      throw new IllegalArgumentException("connection caps must be >= 1");
    }
    positive(headerTimeout, "headerTimeout");
    positive(idleTimeout, "idleTimeout");
    if (maxHeaderBytes < 1024) {
      throw new IllegalArgumentException("maxHeaderBytes must be >= 1024: " + maxHeaderBytes);
    }
    if (maxBodyBytes < 0) {
      throw new IllegalArgumentException("maxBodyBytes must be >= 0: " + maxBodyBytes);
    }
    uncappedAddresses = Set.copyOf(uncappedAddresses);
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Options of a {@link GateConfig}. */
  public static final class Builder {
    private int maxConnectionsPerAddress = 32;
    private int maxConnections = 1024;
    private Duration headerTimeout = Duration.ofSeconds(5);
    private Duration idleTimeout = Duration.ofSeconds(15);
    private int maxHeaderBytes = 16 * 1024;
    private long maxBodyBytes = 1024 * 1024;
    private Set<InetAddress> uncappedAddresses = Set.of();

    private Builder() {}

    /** Open connections per network address (default 32); one more is closed at accept. */
    public Builder maxConnectionsPerAddress(int max) {
      this.maxConnectionsPerAddress = max;
      return this;
    }

    /** Open connections in all (default 1024); one more is closed at accept. */
    public Builder maxConnections(int max) {
      this.maxConnections = max;
      return this;
    }

    /** Time to send a complete request header (default 5 s). */
    public Builder headerTimeout(Duration timeout) {
      this.headerTimeout = timeout;
      return this;
    }

    /** Time without progress: keep-alive wait, request body, the client reading the response (default 15 s). */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = timeout;
      return this;
    }

    /** The largest request header (default 16 KiB). */
    public Builder maxHeaderBytes(int bytes) {
      this.maxHeaderBytes = bytes;
      return this;
    }

    /** The largest request body (default 1 MiB; the reference server takes none). */
    public Builder maxBodyBytes(long bytes) {
      this.maxBodyBytes = bytes;
      return this;
    }

    /** Addresses never counted per address (default none), e.g. a reverse proxy on this machine. */
    public Builder uncappedAddresses(Set<InetAddress> addresses) {
      this.uncappedAddresses = Set.copyOf(addresses);
      return this;
    }

    /** @throws IllegalArgumentException if a value is out of range */
    public GateConfig build() {
      return new GateConfig(
          maxConnectionsPerAddress, maxConnections, headerTimeout, idleTimeout, maxHeaderBytes, maxBodyBytes,
          uncappedAddresses);
    }
  }
}
