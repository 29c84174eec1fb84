package io.p2pcollab.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.IceServer;
import io.p2pcollab.core.PeerId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ICE servers per peer: static ones for everybody, TURN REST credentials (coturn's use-auth-secret) per peer. */
class IceServersTest {

  private static final PeerId PEER = new PeerId("AAAAAAAAAAAAAAAAAAAAAA");
  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z"); // 1735689600

  @Test
  void theCredential_isBase64OfHmacSha1_rfc2202TestCase2() {
    // RFC 2202 §3, test case 2: HMAC-SHA1("Jefe", "what do ya want for nothing?") =
    // effcdf6ae5eb2fa2d27416d5f184df9c259a7c79
    assertThat(IceServers.turnRestCredential("Jefe".getBytes(StandardCharsets.UTF_8), "what do ya want for nothing?"))
        .isEqualTo("7/zfauXrL6LSdBbV8YTfnCWafHk=");
  }

  @Test
  void turnRest_makesAUserNameOfExpiryAndPeerId_andItsCredential() {
    IceServers servers = IceServers.turnRest(List.of("turn:turn.example.org:3478", "turns:turn.example.org:5349"),
        "logen", Duration.ofHours(1));

    // printf '%s' '1735693200:AAAAAAAAAAAAAAAAAAAAAA' | openssl dgst -sha1 -hmac logen -binary | base64
    assertThat(servers.forPeer(PEER, NOW)).containsExactly(new IceServer(
        List.of("turn:turn.example.org:3478", "turns:turn.example.org:5349"),
        "1735693200:AAAAAAAAAAAAAAAAAAAAAA",
        "UEnj9yP6ral7viCZPsRv9cqaU7Y="));
  }

  @Test
  void turnRest_credentialsDifferPerPeerAndTime() {
    IceServers servers = IceServers.turnRest(List.of("turn:t.example.org"), "logen", Duration.ofMinutes(10));
    PeerId other = new PeerId("BBBBBBBBBBBBBBBBBBBBBB");
    IceServer a = servers.forPeer(PEER, NOW).get(0);
    assertThat(servers.forPeer(other, NOW).get(0).credential()).isNotEqualTo(a.credential());
    assertThat(servers.forPeer(PEER, NOW.plusSeconds(1)).get(0).username()).isEqualTo("1735690201:" + PEER.value());
  }

  @Test
  void staticServers_areTheSameForEveryPeer_andCombineWithTurnRest() {
    IceServer stun = IceServer.of("stun:stun.example.org:3478");
    IceServers servers = IceServers.of(List.of(stun)).and(IceServers.turnRest(List.of("turn:t.example.org"), "logen", Duration.ofHours(1)));
    List<IceServer> forPeer = servers.forPeer(PEER, NOW);
    assertThat(forPeer).hasSize(2).first().isEqualTo(stun);
    assertThat(forPeer.get(1).username()).endsWith(":" + PEER.value());
    assertThat(IceServers.none().forPeer(PEER, NOW)).isEmpty();
  }

  @Test
  void turnRest_refusesNoUrls_anEmptySecret_andTtlsOutOfRange() {
    assertThatThrownBy(() -> IceServers.turnRest(List.of(), "s", Duration.ofHours(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IceServers.turnRest(List.of("turn:t"), "", Duration.ofHours(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IceServers.turnRest(List.of("turn:t"), "s", Duration.ofSeconds(59))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IceServers.turnRest(List.of("turn:t"), "s", Duration.ofDays(8))).isInstanceOf(IllegalArgumentException.class);
  }
}
