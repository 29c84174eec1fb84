package io.p2pcollab.tracker.internal;

import io.p2pcollab.core.SignalingConnection;
import java.net.InetSocketAddress;
import org.java_websocket.WebSocket;
import org.java_websocket.exceptions.WebsocketNotConnectedException;

/**
 * A Java-WebSocket connection as a Coordinator sees it, with the client address the adapter
 * decided on (the socket's peer, or the address a trusted proxy forwarded). Safe from any thread:
 * Java-WebSocket's {@code send} and {@code close} are.
 */
public final class WebSocketConnection implements SignalingConnection {
  private final WebSocket conn;
  private final InetSocketAddress client;

  public WebSocketConnection(WebSocket conn, InetSocketAddress client) {
    this.conn = conn;
    this.client = client;
  }

  @Override
  public boolean send(String frame) {
    try {
      conn.send(frame);
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
