package io.p2pcollab.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.tracker.internal.ConnectionsPerAddress;
import io.p2pcollab.tracker.internal.ConnectionsPerAddress.Admission;
import java.net.InetAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-address count behind the adapter's connection cap. */
class ConnectionsPerAddressTest {

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void upToMaxAreAdmitted_asManyAgainRefused_beyondThatDroppedUncounted() throws Exception {
    ConnectionsPerAddress cap = new ConnectionsPerAddress(2, Set.of());
    InetAddress a = ip("192.0.2.1");
    assertThat(cap.admit("s1", a)).isEqualTo(Admission.ADMITTED);
    assertThat(cap.admit("s2", a)).isEqualTo(Admission.ADMITTED);
    assertThat(cap.admit("s3", a)).isEqualTo(Admission.REFUSED);
    assertThat(cap.admit("s4", a)).isEqualTo(Admission.REFUSED);
    assertThat(cap.admit("s5", a)).isEqualTo(Admission.DROPPED);
    assertThat(cap.count(a)).isEqualTo(4);
    assertThat(cap.admit("t1", ip("192.0.2.2"))).as("another address").isEqualTo(Admission.ADMITTED);
  }

  @Test
  void release_freesAPlace_isIdempotent_andIgnoresSocketsNeverCounted() throws Exception {
    ConnectionsPerAddress cap = new ConnectionsPerAddress(1, Set.of());
    InetAddress a = ip("192.0.2.1");
    assertThat(cap.admit("s1", a)).isEqualTo(Admission.ADMITTED);
    assertThat(cap.admit("s2", a)).isEqualTo(Admission.REFUSED);
    cap.release("s1");
    cap.release("s1");
    cap.release("never");
    assertThat(cap.count(a)).isEqualTo(1);
    cap.release("s2");
    assertThat(cap.total()).isZero();
    assertThat(cap.admit("s3", a)).isEqualTo(Admission.ADMITTED);
  }

  @Test
  void ipv6_isCountedPer64_ipv4MappedAsIpv4() throws Exception {
    ConnectionsPerAddress cap = new ConnectionsPerAddress(1, Set.of());
    assertThat(cap.admit("s1", ip("2001:db8:1:2::1"))).isEqualTo(Admission.ADMITTED);
    assertThat(cap.admit("s2", ip("2001:db8:1:2:abcd::42"))).as("same /64").isEqualTo(Admission.REFUSED);
    assertThat(cap.admit("s3", ip("2001:db8:1:3::1"))).as("next /64").isEqualTo(Admission.ADMITTED);
    assertThat(NetworkAddresses.key(ip("2001:db8:1:2::1"))).isEqualTo("2001:db8:1:2::/64");
    assertThat(NetworkAddresses.key(InetAddress.getByAddress(
        new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 1})))
        .isEqualTo("192.0.2.1");
    assertThat(NetworkAddresses.key(ip("192.0.2.1"))).isEqualTo("192.0.2.1");
  }

  @Test
  void uncappedAddresses_areAlwaysAdmittedAndNeverCounted() throws Exception {
    InetAddress proxy = ip("127.0.0.1");
    ConnectionsPerAddress cap = new ConnectionsPerAddress(1, Set.of(proxy));
    for (int i = 0; i < 10; i++) {
      assertThat(cap.admit("s" + i, proxy)).isEqualTo(Admission.ADMITTED);
    }
    assertThat(cap.total()).isZero();
  }

  @Test
  void aCapBelowOne_isRefused() {
    assertThatThrownBy(() -> new ConnectionsPerAddress(0, Set.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
