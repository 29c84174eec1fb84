package io.p2pcollab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference server in this process, with its real ffmpeg source and super-peer: its public
 * HTTP port goes through the gate, its public stats are aggregate only, and a slow-header attack
 * from one address does not stop anyone else's requests (issue 8, attack 5).
 */
class ReferenceServerIT {

  private static final String KEY = "it-operator-key";

  private ReferenceServer server;
  private int port;
  private final List<Socket> sockets = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private void start(String... extra) throws Exception {
    port = freePortPair();
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", String.valueOf(port), "--operator-key", KEY));
    args.addAll(List.of(extra));
    server = new ReferenceServer(ReferenceServer.Options.parse(args.toArray(String[]::new)));
    server.start();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** A port whose successor is free too (the page's port, and signaling's). */
  private static int freePortPair() throws IOException {
    for (int i = 0; i < 50; i++) {
      try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int p = a.getLocalPort();
        if (p < 65535) {
          try (ServerSocket b = new ServerSocket(p + 1, 1, InetAddress.getLoopbackAddress())) {
            return p;
          } catch (IOException taken) {
            // try another
          }
        }
      }
    }
    throw new IOException("no free port pair");
  }

  private HttpResponse<String> get(String path, String key) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
    if (key != null) {
      r.header("Authorization", "Bearer " + key);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** What a client received for one request on a fresh connection: every byte, headers and body. */
  private byte[] rawGet(String path) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return s.getInputStream().readAllBytes();
    }
  }

  private long originBytes(String kind) throws Exception {
    JsonObject stats = JsonParser.parseString(get("/stats.json", null).body()).getAsJsonObject();
    return stats.getAsJsonObject("originBytesByKind").get(kind).getAsLong();
  }

  @Test
  void theOriginCountsEveryByteItSends_byKind_headersIncluded() throws Exception {
    start();
    long page = originBytes("page");
    long sdk = originBytes("sdk");
    byte[] index = rawGet("/");
    byte[] module = rawGet("/p2p-collab/index.js");
    assertThat(new String(index, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
    assertThat(originBytes("page") - page).as("the page's response, byte for byte").isEqualTo(index.length);
    assertThat(originBytes("sdk") - sdk).as("an SDK module's response, byte for byte").isEqualTo(module.length);
    // The super-peer is a signaling client like any peer: it is pinged every second.
    long signaling = originBytes("signaling");
    Await.until(Duration.ofSeconds(5), "signaling frames are counted", () -> originBytes("signaling") > signaling);
  }

  @Test
  void publicStats_areAggregateOnly_perStreamFiguresNeedTheOperatorKey() throws Exception {
    start();
    JsonObject stats = JsonParser.parseString(get("/stats.json", null).body()).getAsJsonObject();
    assertThat(stats.has("newestSegment")).isTrue();
    assertThat(stats.has("contributions")).isFalse();
    for (Map.Entry<String, JsonElement> e : stats.entrySet()) {
      if (e.getKey().equals("originBytesByKind")) {
        for (Map.Entry<String, JsonElement> k : e.getValue().getAsJsonObject().entrySet()) {
          assertThat(k.getKey()).isIn("media", "init", "mpd", "hashes", "signatures", "sdk", "player", "page", "api", "operator",
              "superPeer", "signaling");
          assertThat(k.getValue().getAsJsonPrimitive().isNumber()).isTrue();
        }
        continue;
      }
      assertThat(e.getValue().isJsonPrimitive() && e.getValue().getAsJsonPrimitive().isNumber())
          .as("public field %s is a number, never an ID or a list", e.getKey()).isTrue();
    }
    assertThat(get("/operator/stats.json", null).statusCode()).isEqualTo(401);
    assertThat(get("/operator/stats.json", "wrong").statusCode()).isEqualTo(401);
    HttpResponse<String> operator = get("/operator/stats.json", KEY);
    assertThat(operator.statusCode()).isEqualTo(200);
    JsonObject full = JsonParser.parseString(operator.body()).getAsJsonObject();
    assertThat(full.get("contributions").isJsonObject()).isTrue();
    assertThat(full.getAsJsonObject("http").get("connections").getAsInt()).isPositive();
  }

  @Test
  void slowHeadersFromOneAddress_doNotStopThePageForAnyoneElse_andTheSignalingPortRefusesOtherPaths() throws Exception {
    start("--http-header-timeout", "60s");
    for (int i = 0; i < 40; i++) { // 32 held, the rest closed at accept
      Socket s = new Socket();
      sockets.add(s);
      s.bind(new InetSocketAddress("127.0.0.2", 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.getOutputStream().write("GET /config.json HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
    }
    for (String path : List.of("/config.json", "/", "/stats.json")) {
      assertThat(get(path, null).statusCode()).as(path).isEqualTo(200);
    }
    assertThat(get("/operator/state.json", KEY).statusCode()).isEqualTo(200);

    try (Socket ws = new Socket("127.0.0.1", port + 1)) {
      ws.setSoTimeout(10_000);
      OutputStream out = ws.getOutputStream();
      out.write(("GET /signal% HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = ws.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1); // until the server closes
      assertThat(answer).startsWith("HTTP/1.1 404");
    }
  }

  @Test
  void https_isServedThroughTheGate(@TempDir Path dir) throws Exception {
    TestTls tls = TestTls.create(dir);
    start("--tls-keystore", tls.keystore().toString(), "--tls-password", tls.password());
    HttpClient https = HttpClient.newBuilder().sslContext(tls.client()).build();
    HttpResponse<String> config = https.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/config.json")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(config.statusCode()).isEqualTo(200);
    assertThat(config.body()).contains("\"signalingPort\":" + (port + 1));
  }
}
