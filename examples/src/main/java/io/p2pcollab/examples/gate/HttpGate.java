package io.p2pcollab.examples.gate;

import io.p2pcollab.tracker.NetworkAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A front for an HTTP server that has no limits of its own, such as the JDK's {@code HttpServer}
 * (which reads request headers on its worker threads without a deadline, so that a handful of
 * clients sending unfinished headers occupy every worker and the site hangs for everyone).
 *
 * <p>The gate listens on the public address and relays each accepted connection to the backend
 * (the real server, bound to loopback), byte for byte, with the limits of a {@link GateConfig}:
 * connections per network address and in all (one more is closed at accept), a deadline for
 * each complete request header, a deadline for progress (keep-alive wait, request body, a client
 * that stops reading its response), a header size cap (431) and a body size cap (413). A backend
 * connection is opened only once a complete request header has arrived, so clients that never
 * send one never reach the backend. With an {@link SSLContext} the gate terminates TLS itself
 * ({@link TlsTransport}) and the deadlines apply to the decrypted request; the backend stays plain
 * HTTP on loopback.
 *
 * <p>Request bodies must carry a {@code Content-Length} ({@code Transfer-Encoding} is answered
 * 501); protocol upgrades are not relayed. Responses pass unchanged.
 *
 * <p>Lifecycle: {@link #open} binds, {@link #start} starts relaying, {@link #close} stops and
 * closes every connection (idempotent).
 *
 * <p>Threading: one thread, {@code p2p-collab-http-gate}, runs a selector over the listening
 * socket and every client and backend socket; all connection state is confined to it. Memory is
 * fixed per connection (two buffers, three more with TLS), so it is bounded by the caps. {@link
 * #connections}, {@link #refused} and {@link #close} are safe from any thread.
 */
public final class HttpGate implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpGate.class);

  private final GateConfig config;
  private final InetSocketAddress backend;
  private final SSLContext tls;
  private final Selector selector;
  private final ServerSocketChannel server;
  private final Thread thread;
  // Confined to the gate's thread:
  private final Set<GateConnection> open = new LinkedHashSet<>();
  private final Map<GateConnection, String> addressOf = new IdentityHashMap<>();
  private final Map<String, Integer> perAddress = new HashMap<>();
  // Readable from any thread:
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private volatile boolean closed;

  private HttpGate(GateConfig config, InetSocketAddress listen, InetSocketAddress backend, SSLContext tls)
      throws IOException {
    this.config = Objects.requireNonNull(config, "config");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.tls = tls;
    this.selector = Selector.open();
    this.server = ServerSocketChannel.open();
    try {
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(listen, 256);
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException e) {
      server.close();
      selector.close();
      throw e;
    }
    this.thread = new Thread(this::run, "p2p-collab-http-gate");
    thread.setDaemon(true);
  }

  /**
   * Binds {@code listen}; connections wait until {@link #start}.
   *
   * @param backend the server to relay to, e.g. a JDK {@code HttpServer} on 127.0.0.1
   * @param tls terminate TLS with this context, or null for plain HTTP
   * @throws IOException if {@code listen} cannot be bound
   */
  public static HttpGate open(GateConfig config, InetSocketAddress listen, InetSocketAddress backend, SSLContext tls)
      throws IOException {
    return new HttpGate(config, listen, backend, tls);
  }

  /** Starts accepting and relaying. */
  public void start() {
    thread.start();
  }

  /** The port it listens on (useful when bound to port 0). */
  public int port() {
    return server.socket().getLocalPort();
  }

  /** Client connections open now. */
  public int connections() {
    return connections.get();
  }

  /** Connections closed at accept, over a cap, since the start. */
  public long refused() {
    return refused.get();
  }

  InetSocketAddress backendAddress() {
    return backend;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    selector.wakeup();
    if (thread.isAlive() && Thread.currentThread() != thread) {
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (!thread.isAlive()) {
      closeAll();
    }
  }

  private void run() {
    long tick = Math.max(10, Math.min(250, Math.min(config.headerTimeout().toMillis(), config.idleTimeout().toMillis()) / 10));
    long lastSweep = System.nanoTime();
    Set<GateConnection> again = new LinkedHashSet<>();
    while (!closed) {
      try {
        if (again.isEmpty()) {
          selector.select(tick);
        } else {
          selector.selectNow();
        }
        long now = System.nanoTime();
        List<GateConnection> retry = new ArrayList<>(again);
        again.clear();
        for (GateConnection c : retry) {
          c.onEvent(null, now);
          if (c.needsAnotherPass()) {
            again.add(c);
          }
        }
        for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          SelectionKey key = it.next();
          it.remove();
          if (!key.isValid()) {
            continue;
          }
          if (key.isAcceptable()) {
            accept(now);
          } else if (key.attachment() instanceof GateConnection c) {
            c.onEvent(key, now);
            if (c.needsAnotherPass()) {
              again.add(c);
            }
          }
        }
        if (now - lastSweep >= tick * 1_000_000L) {
          lastSweep = now;
          for (GateConnection c : new ArrayList<>(open)) {
            c.checkDeadlines(now);
          }
        }
      } catch (IOException | RuntimeException e) {
        log.warn("the HTTP gate's loop failed; it goes on", e);
      }
    }
    closeAll();
  }

  private void accept(long now) throws IOException {
    for (int i = 0; i < 256; i++) {
      SocketChannel channel = server.accept();
      if (channel == null) {
        return;
      }
      InetAddress address = ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
      String key = config.uncappedAddresses().contains(address) ? null : NetworkAddresses.key(address);
      if (open.size() >= config.maxConnections()
          || (key != null && perAddress.getOrDefault(key, 0) >= config.maxConnectionsPerAddress())) {
        refused.incrementAndGet();
        log.debug("closed a connection from {} at accept: over a connection cap", key);
        channel.close();
        continue;
      }
      try {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ClientTransport transport =
            tls == null ? ClientTransport.plain(channel) : new TlsTransport(channel, tls.createSSLEngine());
        SelectionKey clientKey = channel.register(selector, SelectionKey.OP_READ);
        GateConnection c = new GateConnection(this, config, clientKey, transport, now);
        clientKey.attach(c);
        open.add(c);
        if (key != null) {
          addressOf.put(c, key);
          perAddress.merge(key, 1, Integer::sum);
        }
        connections.set(open.size());
      } catch (IOException | RuntimeException e) {
        log.debug("could not set up an accepted connection", e);
        channel.close();
      }
    }
  }

  /** Called by a connection as it closes: its place is free again. */
  void released(GateConnection c) {
    if (open.remove(c)) {
      String key = addressOf.remove(c);
      if (key != null) {
        perAddress.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
      }
      connections.set(open.size());
    }
  }

  private void closeAll() {
    for (GateConnection c : new ArrayList<>(open)) {
      c.close("gate closing");
    }
    try {
      server.close();
      selector.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
