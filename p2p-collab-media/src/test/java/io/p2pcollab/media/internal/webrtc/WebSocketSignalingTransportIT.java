package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.SignalingChannel;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JDK WebSocket client against a Java-WebSocket server on 127.0.0.1. */
class WebSocketSignalingTransportIT {

  private EchoServer server;
  private final Recorder recorder = new Recorder();

  @BeforeEach
  void setUp() throws Exception {
    server = new EchoServer(new InetSocketAddress("127.0.0.1", 0));
    server.start();
    server.started.get(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    server.stop(1000);
  }

  @Test
  void frames_goBothWays_inOrder() throws Exception {
    SignalingChannel channel = open();
    for (int i = 0; i < 100; i++) {
      assertThat(channel.send("{\"n\":" + i + "}")).isTrue();
    }
    for (int i = 0; i < 100; i++) {
      assertThat(recorder.frames.poll(5, TimeUnit.SECONDS)).isEqualTo("echo {\"n\":" + i + "}");
    }
  }

  @Test
  void close_isGraceful_andTheListenerHearsItOnce() throws Exception {
    SignalingChannel channel = open();
    channel.send("last words");
    channel.close();
    channel.close();
    assertThat(recorder.closed.get(5, TimeUnit.SECONDS)).contains("1000");
    assertThat(server.received).contains("last words");
    assertThat(channel.send("too late")).isFalse();
  }

  @Test
  void serverClosing_endsTheChannel() throws Exception {
    open();
    server.getConnections().forEach(c -> c.close(4000, "go away"));
    assertThat(recorder.closed.get(5, TimeUnit.SECONDS)).contains("4000").contains("go away");
  }

  @Test
  void frameOverTheProtocolLimit_closesTheChannel() throws Exception {
    open();
    server.getConnections().forEach(c -> c.send("x".repeat(70_000)));
    assertThat(recorder.closed.get(5, TimeUnit.SECONDS)).contains("over 65536");
    assertThat(recorder.frames).isEmpty();
  }

  @Test
  void nobodyListening_failsTheOpen() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    var transport = new WebSocketSignalingTransport(URI.create("ws://127.0.0.1:" + port + "/signal"));
    assertThatThrownBy(() -> transport.open(recorder).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    assertThat(recorder.closed).isNotDone();
  }

  @Test
  void onlyWebSocketUris_areAccepted() {
    assertThatThrownBy(() -> new WebSocketSignalingTransport(URI.create("http://127.0.0.1/signal")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private SignalingChannel open() throws Exception {
    URI uri = URI.create("ws://127.0.0.1:" + server.getPort() + "/signal");
    return new WebSocketSignalingTransport(uri).open(recorder).get(5, TimeUnit.SECONDS);
  }

  private static final class Recorder implements SignalingChannel.Listener {
    final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();

    @Override
    public void onFrame(String frame) {
      frames.add(frame);
    }

    @Override
    public void onClosed(String reason) {
      if (!closed.complete(reason)) {
        throw new AssertionError("onClosed twice: " + reason);
      }
    }
  }

  private static final class EchoServer extends WebSocketServer {
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final List<String> received = new CopyOnWriteArrayList<>();

    EchoServer(InetSocketAddress address) {
      super(address);
      setReuseAddr(true);
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {}

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {}

    @Override
    public void onMessage(WebSocket conn, String message) {
      received.add(message);
      conn.send("echo " + message);
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {}

    @Override
    public void onStart() {
      started.complete(null);
    }
  }
}
