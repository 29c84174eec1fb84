package io.p2pcollab.tracker;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingCodec;
import io.p2pcollab.tracker.internal.ConnectionsPerAddress;
import io.p2pcollab.tracker.internal.ConnectionsPerAddress.Admission;
import io.p2pcollab.tracker.internal.HandshakeLimits;
import io.p2pcollab.tracker.internal.WebSocketConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.server.DefaultSSLWebSocketServerFactory;
import org.java_websocket.server.DefaultWebSocketServerFactory;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.protocols.Protocol;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference signaling adapter: a WebSocket server (Java-WebSocket) at {@code /signal} that
 * feeds a {@link Coordinator}.
 *
 * <p>Frames are capped at {@link SignalingCodec#MAX_FRAME_BYTES} (64 KiB) by the WebSocket
 * decoder itself, for single frames and for fragmented messages alike, before they are buffered; an
 * oversize message closes that connection with code 1009 and touches no other. Every connection is
 * pinged every second: browsers answer pings even in background tabs whose timers are throttled,
 * so a pong keeps a peer alive.
 *
 * <p>Origins are checked by default: a browser's handshake is accepted only if its {@code Origin}
 * names the host the page reached signaling on (any port: pages are usually served on another
 * one), or one of {@link Builder#allowedOrigins}; handshakes without {@code Origin} (non-browser
 * peers such as the super-peer) are accepted. With {@link Builder#tls} it serves {@code wss://}.
 *
 * <p>Before a connection is open, its handshake may take at most {@link Builder#maxHandshakeBytes}
 * (8 KiB) and {@link Builder#handshakeTimeout} (5 s); a socket past either is closed, counted as it
 * arrives rather than once it is complete, so neither a huge nor a trickled handshake holds memory
 * or a socket for long. A handshake for any path but {@link #PATH} (query strings aside) is
 * answered 404 and closed at once.
 *
 * <p>One network address (an IPv4 address, an IPv6 /64) may hold at most {@link
 * Builder#maxConnectionsPerAddress} sockets (32), handshaking or open. The next ones, up to as many
 * again, complete their handshake only to receive an {@code error} frame {@code
 * TOO_MANY_CONNECTIONS} and a close (1008, reason {@code TOO_MANY_CONNECTIONS}); sockets beyond
 * those are closed at accept. Behind a reverse proxy every socket comes from the proxy: name it in
 * {@link Builder#trustedProxies} and its sockets are counted, and reported to the Coordinator,
 * under the client address in their {@code X-Forwarded-For}.
 *
 * <p>Lifecycle: {@link #start()} binds and returns once the server listens; {@link #close()} stops
 * it and is idempotent. Threading: Java-WebSocket's selector and decoder threads call the
 * Coordinator's session methods, which only enqueue; one daemon thread sends the pings and
 * sweeps the handshake deadlines and per-address counts.
 */
public final class WebSocketSignalingServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WebSocketSignalingServer.class);
  /** The path peers connect to. */
  public static final String PATH = "/signal";

  private final Coordinator coordinator;
  private final Server server;
  private final Duration pingInterval;
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final ScheduledExecutorService pinger =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "p2p-collab-signaling-ping");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean closed;
  /** Frames sent to clients (text frames and pings, headers included), for origin accounting. */
  private final LongAdder bytesSent = new LongAdder();

  private final Set<String> allowedOrigins;
  private final boolean tls;
  private final HandshakeLimits limits;

  private WebSocketSignalingServer(Builder b) {
    this.coordinator = Objects.requireNonNull(b.coordinator, "coordinator");
    this.pingInterval = b.pingInterval;
    this.allowedOrigins = Set.copyOf(b.allowedOrigins);
    this.tls = b.sslContext != null;
    this.server = new Server(Objects.requireNonNull(b.address, "address"), b.maxFrameBytes);
    WebSocketServerFactory channels =
        b.sslContext != null ? new DefaultSSLWebSocketServerFactory(b.sslContext) : new DefaultWebSocketServerFactory();
    this.limits = new HandshakeLimits(
        channels, b.maxHandshakeBytes, b.handshakeTimeout,
        new ConnectionsPerAddress(b.maxConnectionsPerAddress, b.uncappedAddresses), b.trustedProxies, pinger);
    server.setWebSocketFactory(limits);
  }

  /** A server on {@code address} with every default: 64 KiB frames, pings every second, origins checked, no TLS. */
  public static WebSocketSignalingServer create(Coordinator coordinator, InetSocketAddress address) {
    return builder(coordinator, address).build();
  }

  /** A builder for a server on {@code address} feeding {@code coordinator}. */
  public static Builder builder(Coordinator coordinator, InetSocketAddress address) {
    return new Builder(coordinator, address);
  }

  /** Options of a {@link WebSocketSignalingServer}; every default is documented on its setter. */
  public static final class Builder {
    private final Coordinator coordinator;
    private final InetSocketAddress address;
    private int maxFrameBytes = SignalingCodec.MAX_FRAME_BYTES;
    private Duration pingInterval = Duration.ofSeconds(1);
    private Set<String> allowedOrigins = Set.of();
    private SSLContext sslContext;
    private int maxHandshakeBytes = 8 * 1024;
    private Duration handshakeTimeout = Duration.ofSeconds(5);
    private int maxConnectionsPerAddress = 32;
    private Set<InetAddress> uncappedAddresses = Set.of();
    private Set<InetAddress> trustedProxies = Set.of();

    private Builder(Coordinator coordinator, InetSocketAddress address) {
      this.coordinator = coordinator;
      this.address = address;
    }

    /** Origins accepted besides the signaling host's own, e.g. {@code https://www.example.org} (default none). */
    public Builder allowedOrigins(Set<String> origins) {
      this.allowedOrigins = Set.copyOf(origins);
      return this;
    }

    /** Serves {@code wss://} with this context (default: plain {@code ws://}). */
    public Builder tls(SSLContext context) {
      this.sslContext = Objects.requireNonNull(context, "context");
      return this;
    }

    /** How often connections are pinged (default 1 s). */
    public Builder pingInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("pingInterval must be positive");
      }
      this.pingInterval = interval;
      return this;
    }

    /** The most bytes a client may send before its handshake is complete (default 8 KiB). */
    public Builder maxHandshakeBytes(int bytes) {
      if (bytes < 512) {
        throw new IllegalArgumentException("maxHandshakeBytes must be >= 512: " + bytes);
      }
      this.maxHandshakeBytes = bytes;
      return this;
    }

    /** How long a client may take from connecting to a complete handshake (default 5 s). */
    public Builder handshakeTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("handshakeTimeout must be positive");
      }
      this.handshakeTimeout = timeout;
      return this;
    }

    /**
     * The most sockets one network address (an IPv4 address, an IPv6 /64) may hold, handshaking or
     * open (default 32). Past it a socket is told {@code TOO_MANY_CONNECTIONS} and closed.
     */
    public Builder maxConnectionsPerAddress(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxConnectionsPerAddress must be >= 1: " + max);
      }
      this.maxConnectionsPerAddress = max;
      return this;
    }

    /**
     * Addresses whose sockets are never counted against {@link #maxConnectionsPerAddress}, e.g.
     * this machine's own when the super-peer and local tests connect from it (default none).
     */
    public Builder uncappedAddresses(Set<InetAddress> addresses) {
      this.uncappedAddresses = Set.copyOf(addresses);
      return this;
    }

    /**
     * Reverse proxies in front of this server (default none): a socket from one of them is counted,
     * and its peer reported to the Coordinator, under the client address in the last entry of the
     * handshake's {@code X-Forwarded-For} (an IP literal; without one, under the proxy's, uncounted).
     * Only name proxies that set that header themselves: anyone else could claim any address.
     */
    public Builder trustedProxies(Set<InetAddress> proxies) {
      this.trustedProxies = Set.copyOf(proxies);
      return this;
    }

    public WebSocketSignalingServer build() {
      return new WebSocketSignalingServer(this);
    }
  }

  /** Whether a handshake's {@code Origin} may connect (see the class documentation). */
  boolean originAllowed(String origin, String host) {
    if (origin == null || origin.isEmpty()) {
      return true;
    }
    if (allowedOrigins.contains(origin)) {
      return true;
    }
    try {
      String originHost = URI.create(origin).getHost();
      String requestHost = host == null ? null : URI.create("http://" + host).getHost();
      return originHost != null && originHost.equalsIgnoreCase(requestHost);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Binds and starts listening.
   *
   * @throws IOException if the address cannot be bound
   */
  public void start() throws IOException {
    server.start();
    try {
      started.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IOException("cannot listen on " + server.getAddress(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting", e);
    } catch (TimeoutException e) {
      throw new IOException("the WebSocket server did not start", e);
    }
    long ms = pingInterval.toMillis();
    pinger.scheduleAtFixedRate(this::pingAll, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** The port it listens on (useful when bound to port 0). */
  public int port() {
    return server.getPort();
  }

  /** The URI peers connect to, e.g. {@code ws://127.0.0.1:8081/signal}. */
  public URI uri() {
    InetSocketAddress a = server.getAddress();
    return URI.create((tls ? "wss://" : "ws://") + a.getHostString() + ":" + port() + PATH);
  }

  /**
   * Bytes of the frames this server sent since it started: every text frame and ping, with its
   * frame header. The handshake responses and close frames (a few hundred bytes per connection)
   * are not counted.
   */
  public long bytesSent() {
    return bytesSent.sum();
  }

  private void pingAll() {
    for (WebSocket c : server.getConnections()) {
      try {
        if (c.isOpen()) {
          c.sendPing();
          bytesSent.add(WebSocketConnection.frameBytes(0));
        }
      } catch (WebsocketNotConnectedException e) {
        // closed between the check and the ping
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pinger.shutdownNow();
    try {
      server.stop(1000, "server closing");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.nio.channels.ClosedSelectorException e) {
      // Java-WebSocket's stop() sends close frames to the open sockets; when its selector thread
      // has already ended (it may, while sockets close on their own), the write demand meets a
      // closed selector. The server is stopped all the same: nothing is left to close.
      log.debug("signaling server stopped while its selector was already closed");
    }
  }

  /** Java-WebSocket is built on subclassing; this one only forwards to Coordinator sessions. */
  private final class Server extends WebSocketServer {

    Server(InetSocketAddress address, int maxFrameBytes) {
      // The third argument makes the decoder refuse any frame, and any fragmented message, over
      // maxFrameBytes from its header, before buffering it (LimitExceededException → close 1009).
      super(address, List.of(new Draft_6455(Collections.emptyList(), List.of(new Protocol("")), maxFrameBytes)));
      setReuseAddr(true);
      setConnectionLostTimeout(0); // liveness is the Coordinator's: it hears our pings' pongs
      setDaemon(true);
    }

    @Override
    public void onStart() {
      started.complete(null);
    }

    @Override
    public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(
        WebSocket conn, Draft draft, ClientHandshake request) throws InvalidDataException {
      ServerHandshakeBuilder response = super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
      // Refused here, the library answers 404 and closes: never 101 for a path nobody serves.
      String target = request.getResourceDescriptor();
      if (!PATH.equals(target) && !target.startsWith(PATH + "?")) {
        throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "signaling is at " + PATH);
      }
      String origin = request.getFieldValue("Origin");
      if (!originAllowed(origin, request.getFieldValue("Host"))) {
        log.debug("refused a handshake from origin {}", origin);
        throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "origin not allowed: " + origin);
      }
      String forwarded = request.hasFieldValue("X-Forwarded-For") ? request.getFieldValue("X-Forwarded-For") : null;
      if (limits.admitForwarded(conn, forwarded) == Admission.DROPPED) {
        throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, ErrorCode.TOO_MANY_CONNECTIONS.wireName());
      }
      return response;
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
      if (limits.refused(conn)) {
        // Told why before the close, so that a page shows the code rather than a network error.
        conn.send(SignalingCodec.json().encode(new SignalMessage.Error(
            ErrorCode.TOO_MANY_CONNECTIONS, "too many connections from this network address", null)));
        conn.close(CloseFrame.POLICY_VALIDATION, ErrorCode.TOO_MANY_CONNECTIONS.wireName());
        return;
      }
      try {
        conn.setAttachment(coordinator.connect(new WebSocketConnection(conn, limits.clientAddress(conn), bytesSent)));
      } catch (IllegalStateException e) {
        conn.close(1013, "coordinator not running");
      }
    }

    @Override
    public void onClosing(WebSocket conn, int code, String reason, boolean remote) {
      if (!conn.isOpen()) {
        limits.handshakeRefused(conn); // a refused handshake: the library would leave it open
      }
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
      Coordinator.Session s = conn.getAttachment();
      if (s != null) {
        s.onText(message);
      }
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
      Coordinator.Session s = conn.getAttachment();
      if (s != null) {
        s.onBinary(message);
      }
    }

    @Override
    public void onWebsocketPong(WebSocket conn, Framedata f) {
      Coordinator.Session s = conn.getAttachment();
      if (s != null) {
        s.onPong();
      }
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
      Coordinator.Session s = conn.getAttachment();
      if (s != null) {
        s.onClose();
      }
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
      if (conn == null) {
        started.completeExceptionally(ex); // the server itself failed, e.g. the port is taken
        log.warn("signaling server failed", ex);
      } else {
        log.debug("signaling connection failed", ex);
      }
    }
  }
}
