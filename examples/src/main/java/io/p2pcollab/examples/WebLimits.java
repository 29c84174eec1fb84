package io.p2pcollab.examples;

import io.p2pcollab.examples.gate.GateConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The reference server's limits on its two public ports, from its command line: the {@link
 * io.p2pcollab.examples.gate.HttpGate} in front of the page, media and operator API, and the
 * per-address cap of the signaling adapter.
 *
 * <pre>
 *   --http-max-connections-per-address 32   --http-max-connections 1024
 *   --http-header-timeout 5s                --http-idle-timeout 15s
 *   --http-max-header-bytes 16384           --signaling-max-connections-per-address 32
 *   --uncapped-address 127.0.0.1,::1        (or none)  never counted per address: this machine
 *   --trusted-proxy 10.0.0.5                (default none) a reverse proxy: uncapped at the gate,
 *                                           and signaling counts its sockets by X-Forwarded-For
 * </pre>
 *
 * Durations are written {@code 500ms}, {@code 5s} or {@code 2m}. This machine's loopback addresses
 * are uncapped by default because everything local arrives from them: a reverse proxy on the same
 * host, the super-peer, and every browser of a one-machine demo or test.
 *
 * @param gate the gate's limits, {@link GateConfig#uncappedAddresses} included
 * @param signalingMaxPerAddress the signaling adapter's cap per network address
 * @param uncapped addresses counted by neither
 * @param trustedProxies reverse proxies in front of both
 */
record WebLimits(GateConfig gate, int signalingMaxPerAddress, Set<InetAddress> uncapped, Set<InetAddress> trustedProxies) {

  static final String USAGE = "[--http-max-connections-per-address 32] [--http-max-connections 1024]"
      + " [--http-header-timeout 5s] [--http-idle-timeout 15s] [--http-max-header-bytes 16384]"
      + " [--signaling-max-connections-per-address 32] [--uncapped-address 127.0.0.1,::1|none]"
      + " [--trusted-proxy address,...]";

  WebLimits {
    uncapped = Set.copyOf(uncapped);
    trustedProxies = Set.copyOf(trustedProxies);
    if (signalingMaxPerAddress < 1) {
      throw new IllegalArgumentException("--signaling-max-connections-per-address must be >= 1");
    }
  }

  static WebLimits defaults() {
    Set<InetAddress> local = addresses("127.0.0.1,::1");
    return new WebLimits(GateConfig.builder().uncappedAddresses(local).build(), 32, local, Set.of());
  }

  /**
   * These limits with one flag applied.
   *
   * @throws IllegalArgumentException for an unknown flag or a bad value
   */
  WebLimits with(String flag, String value) {
    GateConfig g = gate;
    GateConfig.Builder b = GateConfig.builder()
        .maxConnectionsPerAddress(g.maxConnectionsPerAddress())
        .maxConnections(g.maxConnections())
        .headerTimeout(g.headerTimeout())
        .idleTimeout(g.idleTimeout())
        .maxHeaderBytes(g.maxHeaderBytes())
        .maxBodyBytes(g.maxBodyBytes());
    int signaling = signalingMaxPerAddress;
    Set<InetAddress> uncappedNow = uncapped;
    Set<InetAddress> proxies = trustedProxies;
    switch (flag) {
      case "--http-max-connections-per-address" -> b.maxConnectionsPerAddress(integer(flag, value));
      case "--http-max-connections" -> b.maxConnections(integer(flag, value));
      case "--http-header-timeout" -> b.headerTimeout(duration(flag, value));
      case "--http-idle-timeout" -> b.idleTimeout(duration(flag, value));
      case "--http-max-header-bytes" -> b.maxHeaderBytes(integer(flag, value));
      case "--signaling-max-connections-per-address" -> signaling = integer(flag, value);
      case "--uncapped-address" -> uncappedNow = value.equals("none") ? Set.of() : addresses(value);
      case "--trusted-proxy" -> proxies = addresses(value);
      default -> throw new IllegalArgumentException("unknown option " + flag);
    }
    Set<InetAddress> gateUncapped = new LinkedHashSet<>(uncappedNow);
    gateUncapped.addAll(proxies);
    return new WebLimits(b.uncappedAddresses(gateUncapped).build(), signaling, uncappedNow, proxies);
  }

  private static int integer(String flag, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " takes a number: " + value);
    }
  }

  /** {@code 500ms}, {@code 5s}, {@code 2m}; a bare number is seconds. */
  static Duration duration(String flag, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      return Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " takes a duration such as 500ms, 5s or 2m: " + value);
    }
  }

  private static Set<InetAddress> addresses(String list) {
    Set<InetAddress> out = new LinkedHashSet<>();
    for (String a : list.split(",")) {
      if (a.isBlank()) {
        continue;
      }
      try {
        out.add(InetAddress.getByName(a.trim()));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an address: " + a);
      }
    }
    return out;
  }
}
