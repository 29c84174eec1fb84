package io.p2pcollab.tracker.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.java_websocket.AbstractWrappedByteChannel;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what a socket may do before its WebSocket handshake is complete, below the WebSocket
 * library: at most {@code maxBytes} read (an endless request line or header block is cut when it
 * passes the limit, not when it ends), and at most {@code timeout} from accept to open (a client
 * that trickles its handshake, or sends none, is disconnected). Open connections are not counted:
 * their frames have limits of their own. It wraps the server's channel factory (plain or TLS).
 *
 * <p>Threading: the wrapped channels are used by the library's selector thread; the deadline check
 * runs on the given scheduler and only closes sockets, which is safe from any thread.
 */
public final class HandshakeLimits implements WebSocketServerFactory {

  private static final Logger log = LoggerFactory.getLogger(HandshakeLimits.class);

  private final WebSocketServerFactory delegate;
  private final int maxBytes;
  private final long timeoutNanos;
  private final Map<WebSocketImpl, Long> handshaking = new ConcurrentHashMap<>();

  public HandshakeLimits(
      WebSocketServerFactory delegate, int maxBytes, Duration timeout, ScheduledExecutorService scheduler) {
    this.delegate = delegate;
    this.maxBytes = maxBytes;
    this.timeoutNanos = timeout.toNanos();
    long period = Math.max(50, Math.min(1000, timeout.toMillis() / 4));
    scheduler.scheduleAtFixedRate(this::expire, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public WebSocketImpl createWebSocket(WebSocketAdapter a, Draft d) {
    return delegate.createWebSocket(a, d);
  }

  @Override
  public WebSocketImpl createWebSocket(WebSocketAdapter a, List<Draft> drafts) {
    return delegate.createWebSocket(a, drafts);
  }

  @Override
  public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) throws IOException {
    ByteChannel inner = delegate.wrapChannel(channel, key);
    WebSocketImpl ws = (WebSocketImpl) key.attachment();
    handshaking.put(ws, System.nanoTime());
    return new Counting(inner, ws);
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** Closes sockets whose handshake has taken longer than the timeout; forgets finished ones. */
  private void expire() {
    long now = System.nanoTime();
    handshaking.entrySet().removeIf(e -> {
      WebSocketImpl ws = e.getKey();
      if (ws.isOpen() || ws.isClosed() || ws.isClosing()) {
        return true;
      }
      if (now - e.getValue() > timeoutNanos) {
        log.debug("closed a connection whose handshake took over {} ms", TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        closeQuietly(ws);
        return true;
      }
      return false;
    });
  }

  private static void closeQuietly(WebSocketImpl ws) {
    try {
      SelectionKey key = ws.getSelectionKey();
      if (key != null) {
        key.channel().close();
      }
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Counts what is read until the connection is open, and refuses more than the limit. */
  private final class Counting extends AbstractWrappedByteChannel {
    private final WebSocketImpl ws;
    private long read;

    Counting(ByteChannel inner, WebSocketImpl ws) {
      super(inner);
      this.ws = ws;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return count(super.read(dst));
    }

    @Override
    public int readMore(ByteBuffer dst) throws IOException {
      return count(super.readMore(dst));
    }

    private int count(int n) throws IOException {
      if (n > 0 && !ws.isOpen()) {
        read += n;
        if (read > maxBytes) {
          handshaking.remove(ws);
          throw new IOException("handshake over " + maxBytes + " bytes");
        }
      }
      return n;
    }
  }
}
