package io.p2pcollab.tracker;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The network address a client is counted under by every per-address limit (signaling sockets,
 * registrations, reports, bans, pending approvals, and a host's own HTTP front): an IPv4 address as
 * is (also when it arrives IPv4-mapped on an IPv6 socket), an IPv6 address by its /64 prefix. One
 * subscriber usually holds a whole /64 and picks new addresses in it at will, so counting single
 * IPv6 addresses would let one attacker count as 2^64 visitors. Hosts that enforce limits of their
 * own should count by the same key.
 */
public final class NetworkAddresses {

  private NetworkAddresses() {}

  /**
   * The key {@code address} is counted under, e.g. {@code "192.0.2.1"} or {@code
   * "2001:db8:1:2::/64"}.
   *
   * @throws IllegalArgumentException if it is neither IPv4 nor IPv6
   */
  public static String key(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      if (isV4Mapped(b)) {
        return (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
      }
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        s.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
      }
      return s.append(":/64").toString();
    }
    if (address instanceof Inet4Address) {
      return address.getHostAddress();
    }
    throw new IllegalArgumentException("not an IP address: " + address);
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }
}
