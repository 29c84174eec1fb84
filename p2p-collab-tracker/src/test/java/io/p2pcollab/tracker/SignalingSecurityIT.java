package io.p2pcollab.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.StreamInfo;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Origin checking (on by default) and wss:// with a configured key store. */
class SignalingSecurityIT {

  private Coordinator coordinator;
  private WebSocketSignalingServer server;

  @BeforeEach
  void start() {
    coordinator = Coordinators.create(CoordinatorConfig.builder().build());
    coordinator.addStream(StreamInfo.standard("main"));
    coordinator.start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    coordinator.close();
  }

  private static CompletableFuture<String> firstFrame(HttpClient http, WebSocketSignalingServer s, String origin) {
    CompletableFuture<String> frame = new CompletableFuture<>();
    WebSocket.Builder b = http.newWebSocketBuilder();
    if (origin != null) {
      b.header("Origin", origin);
    }
    b.buildAsync(s.uri(), new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        frame.complete(data.toString());
        return null;
      }
    }).thenAccept(ws -> ws.sendText("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}", true))
        .exceptionally(e -> {
          frame.completeExceptionally(e);
          return null;
        });
    return frame;
  }

  @Test
  void origins_ofOtherSites_areRefused_theSameHostAndNonBrowsersAreNot() throws Exception {
    server = WebSocketSignalingServer.builder(coordinator, new InetSocketAddress("127.0.0.1", 0))
        .allowedOrigins(Set.of("https://www.example.org"))
        .build();
    server.start();
    HttpClient http = HttpClient.newHttpClient();
    assertThat(firstFrame(http, server, null).get(5, TimeUnit.SECONDS)).contains("welcome");
    assertThat(firstFrame(http, server, "http://127.0.0.1:8080").get(5, TimeUnit.SECONDS)).contains("welcome");
    assertThat(firstFrame(http, server, "https://www.example.org").get(5, TimeUnit.SECONDS)).contains("welcome");
    assertThatThrownBy(() -> firstFrame(http, server, "https://evil.example").get(5, TimeUnit.SECONDS))
        .hasMessageContaining("WebSocketHandshakeException");
    assertThat(coordinator.registeredPeers()).isEqualTo(3);
  }

  @Test
  void tls_servesWss(@TempDir Path dir) throws Exception {
    Path keystore = dir.resolve("signaling.p12");
    Process keytool = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "signaling", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
            "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit")
        .redirectErrorStream(true)
        .start();
    assertThat(keytool.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();

    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, tmf.getTrustManagers(), null);

    server = WebSocketSignalingServer.builder(coordinator, new InetSocketAddress("127.0.0.1", 0)).tls(serverTls).build();
    server.start();
    assertThat(server.uri().getScheme()).isEqualTo("wss");
    HttpClient http = HttpClient.newBuilder().sslContext(clientTls).build();
    assertThat(firstFrame(http, server, null).get(10, TimeUnit.SECONDS)).contains("\"type\":\"welcome\"");
  }
}
