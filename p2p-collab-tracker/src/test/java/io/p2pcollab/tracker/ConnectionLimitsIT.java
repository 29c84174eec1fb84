package io.p2pcollab.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.StreamInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Connections per network address and handshake paths at the reference adapter, over raw sockets
 * from several loopback addresses (every 127.x.y.z is this machine, each a network address of its
 * own to the server).
 */
class ConnectionLimitsIT {

  private static final String HELLO = "{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}";

  private Coordinator coordinator;
  private WebSocketSignalingServer server;
  private final List<RawWebSocket> sockets = new ArrayList<>();

  @BeforeEach
  void startCoordinator() {
    coordinator = Coordinators.create(CoordinatorConfig.builder().build());
    coordinator.addStream(StreamInfo.standard("main"));
    coordinator.start();
  }

  private void startServer(UnaryOperator<WebSocketSignalingServer.Builder> options) throws Exception {
    server = options.apply(WebSocketSignalingServer.builder(coordinator, new InetSocketAddress("127.0.0.1", 0))).build();
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (RawWebSocket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
    coordinator.close();
  }

  private RawWebSocket connect(String from) throws Exception {
    RawWebSocket s = new RawWebSocket(from, server.port());
    sockets.add(s);
    return s;
  }

  /** An open connection from {@code from} that registered as a viewer. */
  private RawWebSocket welcomed(String from, String extraHeaders) throws Exception {
    RawWebSocket s = connect(from).handshake("/signal", extraHeaders);
    assertThat(s.responseHead()).startsWith("HTTP/1.1 101");
    s.sendText(HELLO);
    assertThat(s.frame().text()).contains("\"type\":\"welcome\"");
    return s;
  }

  private static void assertToldTooManyConnections(RawWebSocket s) throws Exception {
    assertThat(s.responseHead()).startsWith("HTTP/1.1 101");
    RawWebSocket.Frame error = s.frame();
    assertThat(error.text()).contains("\"type\":\"error\"").contains("\"code\":\"TOO_MANY_CONNECTIONS\"");
    RawWebSocket.Frame close = s.frame();
    assertThat(close.opcode()).isEqualTo(0x8);
    assertThat(close.closeCode()).isEqualTo(1008);
    assertThat(s.closedWithin(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void byDefault_32SocketsFromOneAddressAreServed_the33rdIsToldTooManyConnections_otherAddressesAreNotAffected()
      throws Exception {
    startServer(b -> b);
    for (int i = 0; i < 32; i++) {
      welcomed("127.0.0.2", "");
    }
    assertToldTooManyConnections(connect("127.0.0.2").handshake("/signal", ""));
    welcomed("127.0.0.3", "");
    assertThat(coordinator.registeredPeers()).isEqualTo(33);
  }

  @Test
  void aClosedSocket_freesItsPlace() throws Exception {
    startServer(b -> b.maxConnectionsPerAddress(2));
    RawWebSocket first = welcomed("127.0.0.2", "");
    welcomed("127.0.0.2", "");
    assertToldTooManyConnections(connect("127.0.0.2").handshake("/signal", ""));
    first.close();
    Await.until(Duration.ofSeconds(10), "a place is free again", () -> {
      RawWebSocket s = connect("127.0.0.2").handshake("/signal", "");
      if (!s.responseHead().startsWith("HTTP/1.1 101")) {
        return false;
      }
      s.sendText(HELLO);
      return s.frame().text().contains("welcome");
    });
  }

  @Test
  void socketsThatNeverHandshake_countToo_andThoseFarOverTheCapAreClosedAtAccept() throws Exception {
    startServer(b -> b.maxConnectionsPerAddress(2).handshakeTimeout(Duration.ofSeconds(30)));
    for (int i = 0; i < 4; i++) {
      connect("127.0.0.2"); // two within the cap, two refused once they would handshake
    }
    RawWebSocket fifth = connect("127.0.0.2");
    assertThat(fifth.closedWithin(Duration.ofSeconds(5))).as("closed without a handshake").isTrue();
    welcomed("127.0.0.3", "");
  }

  @Test
  void uncappedAddresses_areNotCounted() throws Exception {
    InetAddress uncapped = InetAddress.getByName("127.0.0.2");
    startServer(b -> b.maxConnectionsPerAddress(1).uncappedAddresses(Set.of(uncapped)));
    for (int i = 0; i < 3; i++) {
      welcomed("127.0.0.2", "");
    }
    welcomed("127.0.0.3", "");
    assertToldTooManyConnections(connect("127.0.0.3").handshake("/signal", ""));
  }

  @Test
  void behindATrustedProxy_socketsAreCountedUnderTheForwardedAddress() throws Exception {
    InetAddress proxy = InetAddress.getByName("127.0.0.2");
    startServer(b -> b.maxConnectionsPerAddress(1).trustedProxies(Set.of(proxy)));
    welcomed("127.0.0.2", "X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\n");
    assertToldTooManyConnections(connect("127.0.0.2").handshake("/signal", "X-Forwarded-For: 203.0.113.7\r\n"));
    welcomed("127.0.0.2", "X-Forwarded-For: 2001:db8:1:2::1\r\n");
    // the same /64 is the same network address
    assertToldTooManyConnections(connect("127.0.0.2").handshake("/signal", "X-Forwarded-For: 2001:db8:1:2:ffff::9\r\n"));
    welcomed("127.0.0.2", "X-Forwarded-For: 2001:db8:1:3::1\r\n");
    // the proxy's own sockets, and names that are not IP literals, are not counted
    welcomed("127.0.0.2", "");
    welcomed("127.0.0.2", "X-Forwarded-For: evil.example\r\n");
    welcomed("127.0.0.2", "X-Forwarded-For: evil.example\r\n");
    // anyone else's header is not believed: 127.0.0.3 is counted as itself
    welcomed("127.0.0.3", "X-Forwarded-For: 192.0.2.1\r\n");
    assertToldTooManyConnections(connect("127.0.0.3").handshake("/signal", "X-Forwarded-For: 192.0.2.2\r\n"));
  }

  @Test
  void handshakesForOtherPaths_areAnswered404AndClosedAtOnce() throws Exception {
    startServer(b -> b);
    for (String target : List.of("/signal%", "/signal/x", "/%zz", "/elsewhere", "/", "/Signal", "/signal%3F")) {
      RawWebSocket s = connect("127.0.0.2").handshake(target, "");
      assertThat(s.responseHead()).as(target).startsWith("HTTP/1.1 404");
      assertThat(s.closedWithin(Duration.ofSeconds(5))).as(target + " closed").isTrue();
    }
    RawWebSocket withQuery = connect("127.0.0.2").handshake("/signal?room=demo", "");
    assertThat(withQuery.responseHead()).startsWith("HTTP/1.1 101");
    welcomed("127.0.0.2", "");
  }
}
