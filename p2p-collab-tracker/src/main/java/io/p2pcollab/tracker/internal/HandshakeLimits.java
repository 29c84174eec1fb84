package io.p2pcollab.tracker.internal;

import io.p2pcollab.tracker.NetworkAddresses;
import io.p2pcollab.tracker.internal.ConnectionsPerAddress.Admission;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.java_websocket.AbstractWrappedByteChannel;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a socket may do at the WebSocket adapter before and while it connects, enforced below the
 * WebSocket library, on the server's channel factory (plain or TLS):
 *
 * <ul>
 *   <li>Per network address, at most {@code perAddress}'s cap of sockets, counted from accept to
 *       close, handshaking or open (see {@link ConnectionsPerAddress}): a socket far over it is
 *       closed at accept; one just over it is marked {@link #refused} for the adapter to tell.
 *   <li>At most {@code maxBytes} read before the handshake is complete (an endless request line
 *       or header block is cut when it passes the limit, not when it ends), and at most {@code
 *       timeout} from accept to open (a client that trickles its handshake, or sends none, is
 *       disconnected). Open connections' frames have limits of their own.
 * </ul>
 *
 * <p>Sockets from a trusted proxy are not counted at accept; {@link #admitForwarded} counts them
 * under the client address the proxy forwarded, once the handshake's headers are known.
 *
 * <p>Threading: the wrapped channels are used by the library's selector thread, which admits; the
 * sweep runs on the given scheduler and only closes sockets and releases counts; {@link
 * #admitForwarded}, {@link #refused} and {@link #clientAddress} are safe from any thread.
 */
public final class HandshakeLimits implements WebSocketServerFactory {

  private static final Logger log = LoggerFactory.getLogger(HandshakeLimits.class);
  /** An IP literal, so that parsing it never asks DNS. */
  private static final Pattern IP_LITERAL =
      Pattern.compile("(\\d{1,3}(\\.\\d{1,3}){3})|([0-9a-fA-F]{0,4}(:[0-9a-fA-F]{0,4}){2,7}(:\\d{1,3}(\\.\\d{1,3}){3})?)");

  private final WebSocketServerFactory delegate;
  private final int maxBytes;
  private final long timeoutNanos;
  private final ConnectionsPerAddress perAddress;
  private final Set<InetAddress> trustedProxies;
  private final Map<WebSocketImpl, Guarded> sockets = new ConcurrentHashMap<>();

  public HandshakeLimits(
      WebSocketServerFactory delegate,
      int maxBytes,
      Duration timeout,
      ConnectionsPerAddress perAddress,
      Set<InetAddress> trustedProxies,
      ScheduledExecutorService scheduler) {
    this.delegate = delegate;
    this.maxBytes = maxBytes;
    this.timeoutNanos = timeout.toNanos();
    this.perAddress = perAddress;
    this.trustedProxies = Set.copyOf(trustedProxies);
    long period = Math.max(50, Math.min(1000, timeout.toMillis() / 4));
    scheduler.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
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
    WebSocketImpl ws = (WebSocketImpl) key.attachment();
    InetAddress remote = ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
    boolean proxied = trustedProxies.contains(remote);
    Admission admission = proxied ? Admission.ADMITTED : perAddress.admit(ws, remote);
    if (admission == Admission.DROPPED) {
      // The library closes the socket when this throws; nothing was counted.
      throw new IOException("too many connections from " + NetworkAddresses.key(remote));
    }
    try {
      Guarded g = new Guarded(delegate.wrapChannel(channel, key), ws, channel, admission, proxied);
      sockets.put(ws, g);
      return g;
    } catch (IOException | RuntimeException e) {
      perAddress.release(ws);
      throw e;
    }
  }

  /**
   * Counts a socket from a trusted proxy under the client address it forwarded (the last entry of
   * {@code X-Forwarded-For}); a socket from any other address, or without a usable header, keeps
   * its own admission.
   *
   * @return the socket's admission after this call
   */
  public Admission admitForwarded(WebSocket ws, String forwardedFor) {
    Guarded g = sockets.get(ws);
    if (g == null) {
      return Admission.DROPPED; // already closed
    }
    if (!g.proxied || g.forwarded != null || forwardedFor == null) {
      return g.admission;
    }
    String last = forwardedFor.substring(forwardedFor.lastIndexOf(',') + 1).trim();
    if (last.startsWith("[") && last.endsWith("]")) {
      last = last.substring(1, last.length() - 1);
    }
    if (!IP_LITERAL.matcher(last).matches()) {
      return g.admission;
    }
    try {
      InetAddress client = InetAddress.getByName(last); // a literal: no lookup
      g.forwarded = new InetSocketAddress(client, 0);
      g.admission = perAddress.admit(ws, client);
    } catch (IOException e) {
      // not an address after all: counted as the proxy itself, i.e. not at all
    }
    if (!g.raw.isOpen()) {
      perAddress.release(ws); // closed meanwhile: the sweep may have missed this count
    }
    return g.admission;
  }

  /**
   * The library refused {@code ws}'s handshake and queued its HTTP answer: close the socket once
   * that is sent (now, if it already is). Safe from any thread.
   */
  public void handshakeRefused(WebSocket ws) {
    Guarded g = sockets.get(ws);
    if (g != null) {
      try {
        g.closeIfRefusedAndFlushed(null);
      } catch (IOException e) {
        g.closeQuietly();
      }
    }
  }

  /** Whether {@code ws} is over its address's cap and must be told so and closed. */
  public boolean refused(WebSocket ws) {
    Guarded g = sockets.get(ws);
    return g != null && g.admission != Admission.ADMITTED;
  }

  /** The client's address: the forwarded one behind a trusted proxy, else the socket's peer. */
  public InetSocketAddress clientAddress(WebSocket ws) {
    Guarded g = sockets.get(ws);
    return g != null && g.forwarded != null ? g.forwarded : ws.getRemoteSocketAddress();
  }

  @Override
  public void close() {
    delegate.close();
  }

  /**
   * Closes sockets whose handshake has taken longer than the timeout, and releases the count of
   * every socket that is closed however it was (closing the raw channel bypasses our wrapper).
   */
  private void sweep() {
    long now = System.nanoTime();
    sockets.values().removeIf(g -> {
      if (!g.raw.isOpen()) {
        perAddress.release(g.ws);
        return true;
      }
      if (!g.ws.isOpen() && !g.ws.isClosing() && now - g.acceptedAt > timeoutNanos) {
        log.debug("closed a connection whose handshake took over {} ms", TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        g.closeQuietly();
        return true;
      }
      return false;
    });
  }

  /** Counts what is read until the connection is open, refuses more than the limit, and releases its count on close. */
  private final class Guarded extends AbstractWrappedByteChannel {
    private final WebSocketImpl ws;
    private final SocketChannel raw;
    private final long acceptedAt = System.nanoTime();
    private final boolean proxied;
    private volatile Admission admission;
    private volatile InetSocketAddress forwarded;
    private long read;

    Guarded(ByteChannel inner, WebSocketImpl ws, SocketChannel raw, Admission admission, boolean proxied) {
      super(inner);
      this.ws = ws;
      this.raw = raw;
      this.admission = admission;
      this.proxied = proxied;
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
          throw new IOException("handshake over " + maxBytes + " bytes");
        }
      }
      return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      int n = super.write(src);
      closeIfRefusedAndFlushed(src);
      return n;
    }

    @Override
    public void writeMore() throws IOException {
      super.writeMore();
      closeIfRefusedAndFlushed(null);
    }

    /**
     * The library answers a refused handshake (a wrong path or origin) with an HTTP error and
     * means to close once it is sent, but only ever closes connections that completed a
     * handshake: close it here as soon as the last byte of the answer is out. Called after each
     * write, and by {@link #handshakeRefused} in case the answer went out before the library
     * marked the socket for closing.
     */
    private void closeIfRefusedAndFlushed(ByteBuffer justWritten) throws IOException {
      if (!ws.isOpen() && ws.isFlushAndClose() && ws.getDraft() == null
          && (justWritten == null ? ws.outQueue.isEmpty() : !justWritten.hasRemaining() && ws.outQueue.size() <= 1)
          && !isNeedWrite()) {
        close();
      }
    }

    @Override
    public void close() throws IOException {
      perAddress.release(ws);
      try {
        super.close();
      } finally {
        raw.close(); // a TLS wrapper may leave it open when its close_notify cannot be sent
      }
    }

    void closeQuietly() {
      try {
        close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
