package io.p2pcollab.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingCodec;
import io.p2pcollab.core.StreamInfo;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reference adapter on real sockets (loopback), with the JDK's WebSocket client. */
class WebSocketSignalingServerIT {

  private Coordinator coordinator;
  private WebSocketSignalingServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    coordinator = Coordinators.create(CoordinatorConfig.builder().build());
    coordinator.addStream(StreamInfo.standard("main"));
    coordinator.start();
    server = WebSocketSignalingServer.create(coordinator, new InetSocketAddress("127.0.0.1", 0));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
    coordinator.close();
  }

  /** A client that queues what it receives. */
  private final class Client implements WebSocket.Listener {
    final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final StringBuilder partial = new StringBuilder();
    final WebSocket ws;

    Client() throws Exception {
      ws = http.newWebSocketBuilder().buildAsync(server.uri(), this).get(5, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        frames.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(-1);
    }

    SignalMessage send(String frame) throws Exception {
      ws.sendText(frame, true).get(5, TimeUnit.SECONDS);
      return next();
    }

    SignalMessage next() throws Exception {
      String f = frames.poll(5, TimeUnit.SECONDS);
      assertThat(f).as("a frame within 5 s").isNotNull();
      return SignalingCodec.json().decode(f);
    }
  }

  @Test
  void twoPagesRegisterJoinAndSignalEachOther() throws Exception {
    Client a = new Client();
    Client b = new Client();
    var wa = (SignalMessage.Welcome) a.send("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}");
    var wb = (SignalMessage.Welcome) b.send("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}");
    assertThat(a.send("{\"v\":1,\"type\":\"join\",\"stream\":\"main\"}")).isInstanceOf(SignalMessage.Joined.class);
    // The Coordinator relays only between peers of one stream.
    assertThat(b.send("{\"v\":1,\"type\":\"join\",\"stream\":\"main\"}")).isInstanceOf(SignalMessage.Joined.class);
    a.ws.sendText("{\"v\":1,\"type\":\"signal\",\"to\":\"" + wb.peerId().value() + "\",\"kind\":\"offer\",\"sdp\":\"v=0\"}", true);
    var relayed = (SignalMessage.Signal) b.next();
    assertThat(relayed.from()).isEqualTo(wa.peerId());
  }

  @Test
  void aFrameOver64KiB_closesThatConnectionWith1009_andOthersKeepWorking() throws Exception {
    Client victim = new Client();
    victim.send("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}");
    Client attacker = new Client();
    attacker.ws.sendText("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\",\"token\":\"" + "x".repeat(1 << 20) + "\"}", true);
    assertThat(attacker.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1009);
    assertThat(victim.send("{\"v\":1,\"type\":\"join\",\"stream\":\"main\"}")).isInstanceOf(SignalMessage.Joined.class);
  }

  @Test
  void aFragmentedMessageOver64KiB_isRefusedToo() throws Exception {
    Client attacker = new Client();
    String piece = "y".repeat(8 * 1024);
    try {
      for (int i = 0; i < 16; i++) {
        attacker.ws.sendText(i == 0 ? "{\"v\":1,\"type\":\"hello\",\"token\":\"" + piece : piece, false).get(5, TimeUnit.SECONDS);
      }
      attacker.ws.sendText("\"}", true).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the server may close while fragments are still being sent
    }
    assertThat(attacker.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1009);
  }

  @Test
  void aFrameJustUnderTheCap_isDecodedNormally() throws Exception {
    Client c = new Client();
    String head = "{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\",\"token\":\"";
    String frame = head + "z".repeat(SignalingCodec.MAX_FRAME_BYTES - head.length() - 2) + "\"}";
    assertThat(frame.length()).isEqualTo(SignalingCodec.MAX_FRAME_BYTES);
    assertThat(c.send(frame)).isInstanceOf(SignalMessage.Welcome.class);
  }

  @Test
  void binaryFrames_areRefusedWithAnError() throws Exception {
    Client c = new Client();
    c.ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(5, TimeUnit.SECONDS);
    assertThat(((SignalMessage.Error) c.next()).code().wireName()).isEqualTo("BAD_FRAME");
  }

  @Test
  void otherPaths_areRefusedDuringTheHandshake() throws Exception {
    URI wrong = URI.create("ws://127.0.0.1:" + server.port() + "/elsewhere");
    Client probe = new Client();
    CompletableFuture<WebSocket> attempt = http.newWebSocketBuilder().buildAsync(wrong, new WebSocket.Listener() {});
    assertThatThrownBy(() -> attempt.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(WebSocketHandshakeException.class)
        .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(404));
    assertThat(probe.send("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}")).isInstanceOf(SignalMessage.Welcome.class);
  }

  @Test
  void pongsKeepAnIdlePeerRegistered() throws Exception {
    Client idle = new Client();
    idle.send("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}");
    // The JDK client answers the server's pings by itself; the page says nothing for 4.5 s.
    Thread.sleep(4500);
    assertThat(coordinator.registeredPeers()).isEqualTo(1);
    assertThat(idle.closed).isNotDone();
  }
}
