package io.p2pcollab.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.StreamInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Handshake limits of the reference WebSocket server, over raw TCP: an oversize handshake and a
 * trickled one are cut, while a regular client on the same server registers as usual.
 */
class HandshakeLimitsIT {

  private Coordinator coordinator;
  private WebSocketSignalingServer server;

  @BeforeEach
  void start() throws IOException {
    coordinator = Coordinators.create(CoordinatorConfig.builder().build());
    coordinator.addStream(StreamInfo.standard("main"));
    coordinator.start();
    server = WebSocketSignalingServer.builder(coordinator, new InetSocketAddress("127.0.0.1", 0))
        .maxHandshakeBytes(8 * 1024)
        .handshakeTimeout(Duration.ofMillis(500))
        .build();
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
    coordinator.close();
  }

  private String request(String extraHeaders) {
    return "GET /signal HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + extraHeaders + "\r\n";
  }

  /** Reads until the server closes the socket; returns what it sent, or null if it stayed open. */
  private static String readUntilClosed(Socket s, Duration within) throws IOException {
    s.setSoTimeout((int) within.toMillis());
    InputStream in = s.getInputStream();
    StringBuilder got = new StringBuilder();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) != -1; ) {
        got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      // reset by the server: closed too
    }
    return got.toString();
  }

  @Test
  void anOversizeHandshake_isCutBeforeItEnds() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(("GET /signal HTTP/1.1\r\nHost: x\r\nX-Pad: ").getBytes(StandardCharsets.US_ASCII));
      byte[] pad = new byte[1024];
      java.util.Arrays.fill(pad, (byte) 'a');
      try {
        for (int i = 0; i < 64; i++) { // 64 KiB of one header line that never ends
          out.write(pad);
          out.flush();
        }
      } catch (IOException e) {
        // the server closed while we were still writing: that is the point
      }
      String answer = readUntilClosed(s, Duration.ofSeconds(5));
      assertThat(answer).as("the server closed the socket").isNotNull().doesNotContain("101");
    }
    assertThat(welcomed()).isTrue();
  }

  @Test
  void aTrickledHandshake_isCutAfterTheTimeout_aRegularOneIsNot() throws Exception {
    try (Socket slow = new Socket("127.0.0.1", server.port())) {
      slow.getOutputStream().write("GET /signal HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      slow.getOutputStream().flush();
      long t0 = System.nanoTime();
      assertThat(readUntilClosed(slow, Duration.ofSeconds(5))).as("closed by the server").isNotNull();
      assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
    }
    try (Socket ok = new Socket("127.0.0.1", server.port())) {
      ok.getOutputStream().write(request("Cookie: " + "c".repeat(4000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      ok.getOutputStream().flush();
      ok.setSoTimeout(5000);
      InputStream in = ok.getInputStream();
      StringBuilder response = new StringBuilder();
      while (!response.toString().endsWith("\r\n\r\n")) {
        response.append((char) in.read());
      }
      assertThat(response.toString()).startsWith("HTTP/1.1 101");
      Thread.sleep(800); // past the handshake timeout: an open connection is not cut...
      assertThat(in.read()).as("...and the server's next ping arrives").isEqualTo(0x89);
    }
    assertThat(welcomed()).isTrue();
  }

  private boolean welcomed() throws Exception {
    CompletableFuture<String> frame = new CompletableFuture<>();
    HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(server.uri(), new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        frame.complete(data.toString());
        return null;
      }
    }).thenAccept(ws -> ws.sendText("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}", true));
    return frame.get(5, TimeUnit.SECONDS).contains("welcome");
  }
}
