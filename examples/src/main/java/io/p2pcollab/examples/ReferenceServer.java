package io.p2pcollab.examples;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.IceServer;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.examples.gate.HttpGate;
import io.p2pcollab.media.ClasspathResourceHandler;
import io.p2pcollab.media.LiveSource;
import io.p2pcollab.media.MediaHttpHandler;
import io.p2pcollab.media.MediaServer;
import io.p2pcollab.media.SuperPeers;
import io.p2pcollab.tracker.ContributionApprovals;
import io.p2pcollab.tracker.ContributorTokens;
import io.p2pcollab.tracker.CoordinatorConfig;
import io.p2pcollab.tracker.Coordinators;
import io.p2pcollab.tracker.WebSocketSignalingServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The reference server behind {@code ./p2pc demo}: Coordinator and Tracker, WebSocket signaling,
 * the Media Server with its ffmpeg live source, the super-peer, and the web page, in one process.
 *
 * <pre>
 * java -cp ... io.p2pcollab.examples.ReferenceServer [--host 0.0.0.0] [--port 8080]
 *     [--input "ffmpeg input arguments"] [--super-peer-max 4]
 *     [--ice stun:host:port] [--ice turn:host:port,username,credential]   (repeatable)
 *     [--shaka node_modules/shaka-player/dist/shaka-player.compiled.js]
 *     [--tls-keystore server.p12 --tls-password secret]   (https:// and wss://)
 *     [--operator-key secret]                             (default: random, printed at start)
 *     [--test-hooks]                                      (POST /test/restart-signaling, for tests)
 *     [--http-header-timeout 5s ...]                      (connection limits: see {@link WebLimits})
 * </pre>
 *
 * The page and media are served on {@code --port}; signaling listens on {@code --port + 1}.
 *
 * <p>The JDK {@code HttpServer} has no header deadline, no write deadline and no connection cap,
 * so it listens on 127.0.0.1 only, behind an {@link HttpGate} on {@code --port} that has them and
 * terminates TLS; the signaling adapter caps connections per address itself ({@link WebLimits}).
 *
 * <p>Contributions: viewers go live with a contributor token or an operator's approval. This server
 * plays the host application's part too: it issues HMAC-SHA256 tokens (to operators, through
 * {@code POST /operator/token}), and serves the operator page {@code /operator.html} whose API
 * ({@link OperatorApi}, under {@code /operator/}) needs the operator key.
 */
public final class ReferenceServer implements AutoCloseable {

  /** Command-line options. */
  record Options(
      String host, int port, List<String> input, int superPeerMax, List<IceServer> ice, Path shaka, boolean testHooks,
      Path tlsKeystore, String tlsPassword, String operatorKey, WebLimits web) {

    static Options parse(String... args) {
      String host = "0.0.0.0";
      int port = 8080;
      List<String> input = List.of();
      int superPeerMax = 4;
      List<IceServer> ice = new ArrayList<>();
      Path shaka = Path.of("node_modules/shaka-player/dist/shaka-player.compiled.js");
      boolean testHooks = false;
      Path tlsKeystore = null;
      String tlsPassword = "";
      String operatorKey = null;
      WebLimits web = WebLimits.defaults();
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--host" -> host = need(args[i], value);
          case "--port" -> port = Integer.parseInt(need(args[i], value));
          case "--input" -> input = List.of(need(args[i], value).trim().split("\\s+"));
          case "--super-peer-max" -> superPeerMax = Integer.parseInt(need(args[i], value));
          case "--ice" -> ice.add(iceServer(need(args[i], value)));
          case "--shaka" -> shaka = Path.of(need(args[i], value));
          case "--tls-keystore" -> tlsKeystore = Path.of(need(args[i], value));
          case "--tls-password" -> tlsPassword = need(args[i], value);
          case "--operator-key" -> operatorKey = need(args[i], value);
          case "--test-hooks" -> {
            testHooks = true;
            i--; // a flag without a value
          }
          case "--help", "-h" -> throw new IllegalArgumentException("usage");
          case "--http-max-connections-per-address", "--http-max-connections", "--http-header-timeout",
              "--http-idle-timeout", "--http-max-header-bytes", "--signaling-max-connections-per-address",
              "--uncapped-address", "--trusted-proxy" -> web = web.with(args[i], need(args[i], value));
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
        i++;
      }
      return new Options(
          host, port, input, superPeerMax, List.copyOf(ice), shaka, testHooks, tlsKeystore, tlsPassword,
          operatorKey != null ? operatorKey : randomToken(), web);
    }

    /** {@code url} or {@code url,username,credential} (TURN). */
    private static IceServer iceServer(String spec) {
      String[] parts = spec.split(",", -1);
      if (parts.length == 1) {
        return IceServer.of(parts[0]);
      }
      if (parts.length != 3) {
        throw new IllegalArgumentException("--ice takes url or url,username,credential: " + spec);
      }
      return new IceServer(List.of(parts[0]), parts[1], parts[2]);
    }

    private static String need(String option, String value) {
      if (value == null) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return value;
    }
  }

  private final Options options;
  private final String superPeerToken = randomToken();
  // Replaced when the test hook restarts signaling; read by the HTTP threads.
  private volatile Coordinator coordinator;
  private volatile WebSocketSignalingServer signaling;
  private volatile StreamInfo latestStream;
  private final java.util.Set<String> contributedSeen = new java.util.concurrent.ConcurrentSkipListSet<>();
  private final MediaServer media;
  private final SuperPeer superPeer;
  /** Plain HTTP on 127.0.0.1, reached only through {@link #gate}. */
  private final HttpServer http;
  private final HttpGate gate;
  private final ServerStats stats;
  /** Every HTTP response byte, by kind (origin accounting, issue 9). */
  private final EgressMeter egress = new EgressMeter();
  /** Signaling bytes of servers replaced by the restart test hook. */
  private volatile long signalingBytesBefore;
  private final SSLContext tls;
  private final String stream = "main";
  /** The room's token issuer: the host application's backend, in this one-process demo. */
  private final ContributorTokens tokens =
      ContributorTokens.hmacSha256(randomSecret(), Clock.systemUTC(), Duration.ofSeconds(30));
  /** Outlives a Coordinator restart (test hook), as an operator's decisions should. */
  private final ContributionApprovals approvals = new ContributionApprovals(Clock.systemUTC(), Duration.ofMinutes(30));
  static final String ROOM = "demo";

  ReferenceServer(Options options) throws IOException {
    this.options = options;
    tls = options.tlsKeystore() == null ? null : Tls.context(options.tlsKeystore(), options.tlsPassword());
    coordinator = newCoordinator();
    signaling = newSignaling(coordinator);

    LiveSource.Builder source = LiveSource.builder(stream);
    if (!options.input().isEmpty()) {
      source.input(options.input());
    }
    media = MediaServer.create(List.of(source.build()));
    superPeer =
        SuperPeers.create(
            SuperPeerConfig.builder(stream)
                .maxPeers(options.superPeerMax())
                // One-machine demos and tests have only loopback between the peers; on a real
                // network this changes nothing, the other candidates are gathered as usual.
                .allowLoopback(true)
                .token(superPeerToken)
                .build(),
            media.segments(),
            media.contributions(),
            // Over the WebSocket like any peer, so it outlives a restart of the Coordinator (test
            // hook); with TLS in process, which needs no client trust store for the server's cert.
            tls != null
                ? SuperPeers.inProcessSignaling(coordinator)
                : SuperPeers.webSocketSignaling(URI.create(
                    "ws://" + (options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host()) + ":"
                        + (options.port() + 1) + WebSocketSignalingServer.PATH)));

    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    http.setExecutor(Executors.newFixedThreadPool(8));
    gate = HttpGate.open(
        options.web().gate(), new InetSocketAddress(options.host(), options.port()), http.getAddress(), tls);
    stats = new ServerStats(stream, media, superPeer, () -> coordinator, contributedSeen, () -> gate,
        egress, () -> signalingBytesBefore + signaling.bytesSent());
    MediaHttpHandler mediaHandler = media.httpHandler();
    context("/live/", mediaHandler);
    context("/p2p-collab/", new ClasspathResourceHandler());
    context("/vendor/shaka-player.compiled.js", StaticResources.file(options.shaka(), "text/javascript"));
    context("/config.json", exchange -> StaticResources.send(exchange, 200, "application/json", config()));
    context("/stats.json", exchange -> StaticResources.send(exchange, 200, "application/json", stats.publicJson()));
    context("/operator/",
        new OperatorApi(options.operatorKey(), () -> coordinator, approvals, tokens, ROOM, stats::operatorJson));
    context("/", StaticResources.classpath("/web"));
    if (options.testHooks()) {
      http.createContext("/test/restart-signaling", exchange -> {
        if (!"POST".equals(exchange.getRequestMethod())) {
          StaticResources.send(exchange, 405, "text/plain", new byte[0]);
          return;
        }
        restartSignaling();
        StaticResources.send(exchange, 200, "text/plain", "restarted\n".getBytes(StandardCharsets.UTF_8));
      });
    }
  }

  /** Mounts {@code handler} at {@code path}, its responses counted by the egress meter. */
  private void context(String path, HttpHandler handler) {
    http.createContext(path, handler).getFilters().add(egress);
  }

  private Coordinator newCoordinator() {
    return Coordinators.create(
        CoordinatorConfig.builder()
            .iceServers(options.ice())
            .superPeerToken(superPeerToken)
            .room(ROOM)
            .contributorTokens(tokens)
            .approvals(approvals)
            .build());
  }

  private WebSocketSignalingServer newSignaling(Coordinator c) {
    WebSocketSignalingServer.Builder b = WebSocketSignalingServer.builder(c, signalingAddress())
        .maxConnectionsPerAddress(options.web().signalingMaxPerAddress())
        .uncappedAddresses(options.web().uncapped())
        .trustedProxies(options.web().trustedProxies());
    return (tls == null ? b : b.tls(tls)).build();
  }

  private InetSocketAddress signalingAddress() {
    return new InetSocketAddress(options.host(), options.port() + 1);
  }

  /**
   * Test hook: the Coordinator goes away with all its state and comes back on the same port, as
   * after a crash and restart of a separate signaling process. Peers must find their way back.
   */
  private synchronized void restartSignaling() throws IOException {
    coordinator.close(); // first: sockets closing afterwards must not look like peers leaving
    signaling.close();
    Coordinator fresh = newCoordinator();
    fresh.start();
    StreamInfo info = latestStream;
    if (info != null) {
      fresh.addStream(info);
    }
    WebSocketSignalingServer server = newSignaling(fresh);
    server.start();
    coordinator = fresh;
    signalingBytesBefore += signaling.bytesSent();
    signaling = server;
    System.out.println("signaling restarted (test hook)");
  }

  void start() throws IOException {
    coordinator.start();
    signaling.start();
    media.onStreamStarted(info -> {
      if (info.id().equals(stream)) {
        latestStream = info;
      } else {
        contributedSeen.add(info.id());
      }
      coordinator.addStream(info);
    });
    media.onStreamEnded(id -> coordinator.removeStream(id));
    media.start();
    http.start();
    gate.start();
    superPeer.start().join();
  }

  private byte[] config() {
    return String.format(Locale.ROOT, "{\"stream\":\"%s\",\"signalingPort\":%d}", stream, signaling.port())
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    gate.close();
    http.stop(0);
    superPeer.close();
    signaling.close();
    coordinator.close();
    media.close();
  }

  private static byte[] randomSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return b;
  }

  private static String randomToken() {
    // the super-peer's secret for the super-peer role; it never leaves this process
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage().equals("usage") ? "" : e.getMessage());
      System.err.println("usage: ReferenceServer [--host 0.0.0.0] [--port 8080] [--input \"ffmpeg input args\"]"
          + " [--super-peer-max 4] [--ice stun:host:port | --ice turn:host:port,user,credential]"
          + " [--shaka path/to/shaka-player.compiled.js]"
          + " [--tls-keystore server.p12 --tls-password secret] [--operator-key secret] [--test-hooks] "
          + WebLimits.USAGE);
      System.exit(2);
      return;
    }
    ReferenceServer server = new ReferenceServer(options);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "p2p-collab-shutdown"));
    server.start();
    String shown = options.host().equals("0.0.0.0") ? "localhost" : options.host();
    String scheme = options.tlsKeystore() == null ? "http" : "https";
    System.out.printf("p2p-collab reference server ready: %s://%s:%d/ (signaling %s://%s:%d%s)%n",
        scheme, shown, options.port(), scheme.equals("https") ? "wss" : "ws", shown, options.port() + 1,
        WebSocketSignalingServer.PATH);
    System.out.printf("operator page: %s://%s:%d/operator.html#key=%s%n", scheme, shown, options.port(), options.operatorKey());
    stopped.await();
  }
}
