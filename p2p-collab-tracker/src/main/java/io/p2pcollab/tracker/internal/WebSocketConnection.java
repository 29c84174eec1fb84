package io.p2pcollab.tracker.internal;

import io.p2pcollab.core.SignalingConnection;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;
import org.java_websocket.WebSocket;
import org.java_websocket.exceptions.WebsocketNotConnectedException;

/**
 * A Java-WebSocket connection as a Coordinator sees it, with the client address the adapter
 * decided on (the socket's peer, or the address a trusted proxy forwarded), counting the bytes of
 * every frame it sends. Safe from any thread: Java-WebSocket's {@code send} and {@code close} are.
 */
public final class WebSocketConnection implements SignalingConnection {
  private final WebSocket conn;
  private final InetSocketAddress client;
  private final LongAdder bytesSent;

  public WebSocketConnection(WebSocket conn, InetSocketAddress client, LongAdder bytesSent) {
    this.conn = conn;
    this.client = client;
    this.bytesSent = bytesSent;
  }

  /** A server-to-client frame's size on the wire: its header (unmasked) and payload. */
  public static long frameBytes(long payload) {
    return payload + (payload < 126 ? 2 : payload < 65_536 ? 4 : 10);
  }

  @Override
  public boolean send(String frame) {
    try {
      conn.send(frame);
      bytesSent.add(frameBytes(frame.getBytes(StandardCharsets.UTF_8).length));
      return true;
    } catch (WebsocketNotConnectedException e) {
      return false;
    }
  }

  @Override
  public void close(int code, String reason) {
    conn.close(code, reason);
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return client;
  }
}
