package io.p2pcollab.examples.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.p2pcollab.examples.Await;
import io.p2pcollab.examples.TestTls;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gate in front of a JDK {@code HttpServer}, over real sockets. Attackers connect from
 * 127.0.0.2, honest clients from 127.0.0.3 (every 127.x.y.z is this machine, and a network
 * address of its own to the gate). Assertions wait on conditions with generous timeouts; where a
 * deadline is under test it is short, and the test checks it was not cut before it.
 */
class HttpGateIT {

  private static final long BIG = 256L << 20;
  private static final Duration LONG = Duration.ofSeconds(60);

  private HttpServer backend;
  private ExecutorService workers;
  private HttpGate gate;
  private final AtomicInteger bigResponses = new AtomicInteger();
  private final List<RawHttp> sockets = new ArrayList<>();

  private void start(GateConfig config, int workerThreads) throws IOException {
    start(config, workerThreads, null);
  }

  private void start(GateConfig config, int workerThreads, TestTls tls) throws IOException {
    backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    workers = Executors.newFixedThreadPool(workerThreads);
    backend.setExecutor(workers);
    backend.createContext("/config.json", ex -> reply(ex, "{\"ok\":true}"));
    backend.createContext("/echo", ex -> reply(ex, "got " + ex.getRequestBody().readAllBytes().length));
    backend.createContext("/chunked", ex -> {
      ex.sendResponseHeaders(200, 0); // length unknown: the JDK sends chunks
      try (OutputStream out = ex.getResponseBody()) {
        out.write("part1".getBytes(StandardCharsets.UTF_8));
        out.flush();
        out.write("part2".getBytes(StandardCharsets.UTF_8));
      }
    });
    backend.createContext("/big", ex -> {
      bigResponses.incrementAndGet();
      ex.sendResponseHeaders(200, BIG);
      byte[] chunk = new byte[64 * 1024];
      try (OutputStream out = ex.getResponseBody()) {
        for (long sent = 0; sent < BIG; sent += chunk.length) {
          out.write(chunk);
        }
      }
    });
    backend.start();
    gate = HttpGate.open(config, new InetSocketAddress("127.0.0.1", 0), backend.getAddress(), tls == null ? null : tls.server());
    gate.start();
  }

  private static void reply(HttpExchange ex, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(200, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @AfterEach
  void stop() throws IOException {
    for (RawHttp s : sockets) {
      s.close();
    }
    if (gate != null) {
      gate.close();
    }
    if (backend != null) {
      backend.stop(0);
      workers.shutdownNow();
    }
  }

  private RawHttp connect(String from) throws IOException {
    RawHttp s = new RawHttp(from, gate.port());
    sockets.add(s);
    return s;
  }

  /** A client that sends the start of a request header and never the end. */
  private RawHttp slowHeader(String from) throws IOException {
    return connect(from).send("GET /config.json HTTP/1.1\r\nHost: gate.test\r\nX-Slow: ");
  }

  @Test
  void requests_areRelayed_onOneKeptAliveConnection_bodiesChunksAndPipelinesIncluded() throws Exception {
    start(GateConfig.builder().build(), 2);
    RawHttp c = connect("127.0.0.3");
    assertThat(c.send(RawHttp.get("/config.json")).response().text()).isEqualTo("{\"ok\":true}");
    assertThat(c.send(RawHttp.get("/chunked")).response().text()).isEqualTo("part1part2");
    assertThat(c.send("POST /echo HTTP/1.1\r\nHost: gate.test\r\nContent-Length: 5\r\n\r\nhello").response().text())
        .isEqualTo("got 5");
    c.send("\r\n" + RawHttp.get("/config.json") + RawHttp.get("/chunked"));
    assertThat(c.response().text()).isEqualTo("{\"ok\":true}");
    assertThat(c.response().text()).isEqualTo("part1part2");
    assertThat(gate.connections()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0} slow connections")
  @ValueSource(ints = {16, 64})
  void slowHeaderConnections_doNotStopANormalGet(int slow) throws Exception {
    start(GateConfig.builder().headerTimeout(LONG).build(), 8); // the reference server's 8 workers
    for (int i = 0; i < slow; i++) {
      slowHeader("127.0.0.2");
    }
    int held = Math.min(slow, 32);
    Await.until(Duration.ofSeconds(10), "the gate holds the slow connections",
        () -> gate.connections() == held && gate.refused() == slow - held);

    RawHttp honest = connect("127.0.0.3");
    RawHttp.Response r = honest.send(RawHttp.get("/config.json")).response();
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("{\"ok\":true}");
    if (slow < 32) {
      // the attacker's own address has room left, and is served as well
      assertThat(connect("127.0.0.2").send(RawHttp.get("/config.json")).response().status()).isEqualTo(200);
    }
    assertThat(gate.connections()).as("the slow connections were still open meanwhile").isGreaterThanOrEqualTo(held + 1);
  }

  @Test
  void slowHeaders_areClosedAtTheHeaderDeadline_trickledOnesToo() throws Exception {
    Duration deadline = Duration.ofMillis(500);
    start(GateConfig.builder().headerTimeout(deadline).build(), 2);
    long t0 = System.nanoTime();
    List<RawHttp> slow = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      slow.add(slowHeader("127.0.0.2"));
    }
    RawHttp trickler = slowHeader("127.0.0.2");
    Thread trickle = new Thread(() -> {
      try {
        for (;;) {
          trickler.send("x");
          Thread.sleep(50);
        }
      } catch (IOException | InterruptedException e) {
        // closed by the gate
      }
    });
    trickle.start();
    for (RawHttp s : slow) {
      assertThat(s.closedWithin(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(System.nanoTime() - t0).as("not before the deadline").isGreaterThanOrEqualTo(deadline.toNanos());
    assertThat(trickler.closedWithin(Duration.ofSeconds(10))).isTrue();
    trickle.join(10_000);
    Await.until(Duration.ofSeconds(10), "every slow connection is gone", () -> gate.connections() == 0);
  }

  @Test
  void eachRequestOfAKeptAliveConnection_hasItsOwnHeaderDeadline_andAnIdleOneIsClosed() throws Exception {
    Duration header = Duration.ofMillis(500);
    Duration idle = Duration.ofSeconds(1);
    start(GateConfig.builder().headerTimeout(header).idleTimeout(idle).build(), 2);

    RawHttp c = connect("127.0.0.3");
    assertThat(c.send(RawHttp.get("/config.json")).response().status()).isEqualTo(200);
    long t0 = System.nanoTime();
    c.send("GET /config.json HTTP/1.1\r\nHost: ");
    assertThat(c.closedWithin(Duration.ofSeconds(10))).isTrue();
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(header.toNanos());

    RawHttp idler = connect("127.0.0.3");
    long t1 = System.nanoTime(); // before the request: the idle clock starts after its response
    assertThat(idler.send(RawHttp.get("/config.json")).response().status()).isEqualTo(200);
    assertThat(idler.closedWithin(Duration.ofSeconds(10))).isTrue();
    assertThat(System.nanoTime() - t1).isGreaterThanOrEqualTo(idle.toNanos());
  }

  @Test
  void the33rdConnectionFromOneAddress_isClosedAtAccept_andAClosedOneFreesItsPlace() throws Exception {
    start(GateConfig.builder().headerTimeout(LONG).build(), 2);
    List<RawHttp> held = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      held.add(connect("127.0.0.2"));
    }
    Await.until(Duration.ofSeconds(10), "32 connections held", () -> gate.connections() == 32);
    RawHttp extra = connect("127.0.0.2");
    assertThat(extra.closedWithin(Duration.ofSeconds(5))).isTrue();
    assertThat(gate.refused()).isEqualTo(1);

    RawHttp other = connect("127.0.0.3");
    assertThat(other.send(RawHttp.get("/config.json")).response().status()).isEqualTo(200);
    other.close();
    held.get(0).close();
    Await.until(Duration.ofSeconds(10), "a place is free", () -> gate.connections() == 31);
    assertThat(connect("127.0.0.2").send(RawHttp.get("/config.json")).response().status()).isEqualTo(200);
  }

  @Test
  void aClientThatNeverReadsALargeResponse_isClosed_andTheBackendWorkerIsFreed() throws Exception {
    start(GateConfig.builder().idleTimeout(Duration.ofSeconds(1)).build(), 1); // one worker: the one it holds
    RawHttp reader = new RawHttp("127.0.0.2", gate.port(), 4096);
    sockets.add(reader);
    reader.send(RawHttp.get("/big"));
    Await.until(Duration.ofSeconds(10), "the backend is sending", () -> bigResponses.get() == 1);
    Await.until(Duration.ofSeconds(30), "the gate closed the client that does not read", () -> gate.connections() == 0);
    long[] got = {0};
    assertThat(reader.closedWithin(Duration.ofSeconds(30), got)).isTrue();
    assertThat(got[0]).as("it got only part of the response").isLessThan(BIG);
    RawHttp next = connect("127.0.0.3");
    assertThat(next.send(RawHttp.get("/config.json")).response().status()).as("the only worker is free again").isEqualTo(200);
  }

  @Test
  void oversizeOrMalformedRequests_areAnsweredByTheGate_andClosed() throws Exception {
    start(GateConfig.builder().maxBodyBytes(10).build(), 2);
    RawHttp big = connect("127.0.0.3").send("GET / HTTP/1.1\r\nX-Pad: " + "p".repeat(20_000) + "\r\n\r\n");
    assertThat(big.response().status()).isEqualTo(431);
    assertThat(big.closedWithin(Duration.ofSeconds(5))).isTrue();
    for (var c : List.of(
        new Object[] {"GET /\r\n\r\n", 400},
        new Object[] {"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
        new Object[] {"POST /echo HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 413})) {
      RawHttp s = connect("127.0.0.3").send((String) c[0]);
      assertThat(s.response().status()).as((String) c[0]).isEqualTo(c[1]);
      assertThat(s.closedWithin(Duration.ofSeconds(5))).isTrue();
    }
    Await.until(Duration.ofSeconds(10), "all closed", () -> gate.connections() == 0);
  }

  @Test
  void aBackendThatIsDown_isAnswered502() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort();
    }
    gate = HttpGate.open(GateConfig.builder().build(), new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), deadPort), null);
    gate.start();
    assertThat(connect("127.0.0.3").send(RawHttp.get("/")).response().status()).isEqualTo(502);
  }

  @Test
  void tls_isTerminatedByTheGate_andTheHeaderDeadlineAppliesToTheDecryptedHeader(@TempDir Path dir) throws Exception {
    TestTls tls = TestTls.create(dir);
    start(GateConfig.builder().headerTimeout(Duration.ofSeconds(1)).build(), 2, tls);
    HttpClient https = HttpClient.newBuilder().sslContext(tls.client()).version(HttpClient.Version.HTTP_1_1).build();
    URI base = URI.create("https://127.0.0.1:" + gate.port());
    for (String path : List.of("/config.json", "/chunked", "/config.json")) {
      HttpResponse<String> r = https.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isIn("{\"ok\":true}", "part1part2");
    }
    HttpResponse<String> posted = https.send(
        HttpRequest.newBuilder(base.resolve("/echo")).POST(HttpRequest.BodyPublishers.ofString("hello")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(posted.body()).isEqualTo("got 5");

    // After a complete TLS handshake, an unfinished header is cut like a plain one...
    try (SSLSocket s = (SSLSocket) tls.client().getSocketFactory().createSocket("127.0.0.1", gate.port())) {
      s.startHandshake();
      s.getOutputStream().write("GET /config.json HTTP/1.1\r\nHost: ".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      s.setSoTimeout(10_000);
      assertThat(s.getInputStream().read()).as("closed").isEqualTo(-1);
    }
    // ...and a socket that never even starts the handshake is cut as well.
    assertThat(connect("127.0.0.2").closedWithin(Duration.ofSeconds(10))).isTrue();
  }
}
