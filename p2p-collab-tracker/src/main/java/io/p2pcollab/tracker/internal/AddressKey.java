package io.p2pcollab.tracker.internal;

import io.p2pcollab.tracker.NetworkAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The part of a peer's network address that the Coordinator counts by: an IPv4 address, or the /64
 * prefix of an IPv6 address (one subscriber usually holds a whole /64, so counting single IPv6
 * addresses would let one attacker count as 2^64 visitors).
 *
 * <p>Two flavours. {@link #forJudging} keys loopback (and unknown) addresses per connection:
 * everything on one machine shares 127.0.0.1, so counting it as one address would let one local
 * page's report count for every other local page (and the tests and demos run on one machine).
 * {@link #forRateLimits} keys loopback as itself, so floods from one machine stay one source.
 *
 * <p>A host behind a reverse proxy must hand the Coordinator the client's address in {@code
 * SignalingConnection.remoteAddress()} (e.g. from a header its proxy sets), or every visitor counts
 * as the proxy. Values; immutable.
 */
record AddressKey(String value) {

  AddressKey {
    Objects.requireNonNull(value, "value");
  }

  /** The key reports, bans and approval limits count by. */
  static AddressKey forJudging(InetSocketAddress remote, long connection) {
    InetAddress a = remote == null ? null : remote.getAddress();
    if (a == null || a.isLoopbackAddress() || a.isAnyLocalAddress()) {
      return new AddressKey("connection/" + connection);
    }
    return network(a);
  }

  /** The key registration rates count by; null when the address is unknown (not limited). */
  static AddressKey forRateLimits(InetSocketAddress remote) {
    InetAddress a = remote == null ? null : remote.getAddress();
    return a == null ? null : network(a);
  }

  private static AddressKey network(InetAddress a) {
    return new AddressKey(NetworkAddresses.key(a));
  }

  @Override
  public String toString() {
    return value;
  }
}
