package io.p2pcollab.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The reference server's connection limits from its command line, and their defaults. */
class WebLimitsTest {

  @Test
  void defaults_areThoseDocumented() throws Exception {
    WebLimits w = ReferenceServer.Options.parse().web();
    assertThat(w.gate().maxConnectionsPerAddress()).isEqualTo(32);
    assertThat(w.gate().maxConnections()).isEqualTo(1024);
    assertThat(w.gate().headerTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(w.gate().idleTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(w.gate().maxHeaderBytes()).isEqualTo(16 * 1024);
    assertThat(w.signalingMaxPerAddress()).isEqualTo(32);
    assertThat(w.uncapped()).containsExactlyInAnyOrder(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"));
    assertThat(w.gate().uncappedAddresses()).isEqualTo(w.uncapped());
    assertThat(w.trustedProxies()).isEmpty();
  }

  @Test
  void flags_setEachLimit() throws Exception {
    WebLimits w = ReferenceServer.Options.parse(
        "--http-max-connections-per-address", "8", "--http-max-connections", "100",
        "--http-header-timeout", "1500ms", "--http-idle-timeout", "2m", "--http-max-header-bytes", "4096",
        "--signaling-max-connections-per-address", "4", "--uncapped-address", "none",
        "--trusted-proxy", "10.0.0.5,10.0.0.6", "--port", "9000").web();
    assertThat(w.gate().maxConnectionsPerAddress()).isEqualTo(8);
    assertThat(w.gate().maxConnections()).isEqualTo(100);
    assertThat(w.gate().headerTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(w.gate().idleTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(w.gate().maxHeaderBytes()).isEqualTo(4096);
    assertThat(w.signalingMaxPerAddress()).isEqualTo(4);
    assertThat(w.uncapped()).isEmpty();
    assertThat(w.trustedProxies()).hasSize(2);
    assertThat(w.gate().uncappedAddresses()).as("a trusted proxy is not counted at the gate").isEqualTo(w.trustedProxies());
    assertThat(WebLimits.duration("x", "7")).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void badValues_andUnknownFlags_areRefused() {
    assertThatThrownBy(() -> ReferenceServer.Options.parse("--http-header-timeout", "soon"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duration");
    assertThatThrownBy(() -> ReferenceServer.Options.parse("--http-max-connections-per-address", "0"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReferenceServer.Options.parse("--http-max-header-bytes", "10"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReferenceServer.Options.parse("--http-nonsense", "1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option");
  }
}
