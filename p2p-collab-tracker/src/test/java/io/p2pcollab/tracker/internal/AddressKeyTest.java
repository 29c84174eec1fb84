package io.p2pcollab.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** What the Coordinator counts by: IPv4 addresses, IPv6 /64s, loopback per connection. */
class AddressKeyTest {

  private static AddressKey judging(String ip, long connection) {
    return AddressKey.forJudging(new InetSocketAddress(ip, 5000), connection);
  }

  @Test
  void ipv4_isTheAddress_whateverThePortOrConnection() {
    assertThat(judging("198.51.100.7", 1)).isEqualTo(judging("198.51.100.7", 2)).isEqualTo(new AddressKey("198.51.100.7"));
    assertThat(judging("198.51.100.7", 1)).isNotEqualTo(judging("198.51.100.8", 1));
  }

  @Test
  void ipv6_isItsSlash64() {
    assertThat(judging("2001:db8:1:2::1", 1)).isEqualTo(judging("2001:db8:1:2:ffff:ffff:ffff:ffff", 2))
        .isEqualTo(new AddressKey("2001:db8:1:2::/64"));
    assertThat(judging("2001:db8:1:2::1", 1)).isNotEqualTo(judging("2001:db8:1:3::1", 1));
  }

  @Test
  void ipv4MappedIpv6_isTheIpv4Address() throws Exception {
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 198, 51, 100, 7};
    java.net.InetAddress a = java.net.Inet6Address.getByAddress(null, mapped, -1);
    assertThat(AddressKey.forJudging(new InetSocketAddress(a, 1), 1)).isEqualTo(new AddressKey("198.51.100.7"));
  }

  @Test
  void loopbackAndUnknown_countPerConnectionForJudging_butAsOneForRateLimits() {
    assertThat(judging("127.0.0.1", 1)).isNotEqualTo(judging("127.0.0.1", 2));
    assertThat(judging("::1", 1)).isNotEqualTo(judging("::1", 2));
    assertThat(AddressKey.forJudging(null, 1)).isNotEqualTo(AddressKey.forJudging(null, 2));
    assertThat(AddressKey.forRateLimits(new InetSocketAddress("127.0.0.1", 1)))
        .isEqualTo(AddressKey.forRateLimits(new InetSocketAddress("127.0.0.1", 2)));
    assertThat(AddressKey.forRateLimits(null)).isNull();
  }
}
