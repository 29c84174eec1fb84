package io.p2pcollab.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentVerifier;
import io.p2pcollab.media.internal.SegmentStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP layout of docs/protocol.md §4, on a real JDK HttpServer bound to loopback. */
class MediaHttpHandlerTest {

  private final SegmentStore store = new SegmentStore();
  private final MediaHttpHandler handler = new MediaHttpHandler(store);
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpServer server;
  private String base;

  @BeforeEach
  void start() throws Exception {
    store.open("main", 4);
    store.add(SegmentRef.init("main", "0"), new byte[] {1, 2, 3});
    store.add(SegmentRef.init("main", "1"), new byte[] {4});
    store.add(new SegmentRef("main", "0", 7), new byte[] {5, 6});
    store.publishManifest("main", "<MPD/>".getBytes(StandardCharsets.UTF_8));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/live/", handler);
    server.createContext("/p2p-collab/", new ClasspathResourceHandler());
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private HttpResponse<byte[]> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void theManifest_isDashXml_neverCached() throws Exception {
    var r = get("/live/main/manifest.mpd");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/dash+xml");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
  }

  @Test
  void aManifestPublishedWithAnUpdatePeriod_isCachedForIt() throws Exception {
    store.publishManifest("main", "<MPD/>".getBytes(StandardCharsets.UTF_8), java.time.Duration.ofSeconds(60));
    assertThat(get("/live/main/manifest.mpd?run=abc").headers().firstValue("Cache-Control")).hasValue("public, max-age=60");
  }

  @Test
  void segments_areImmutable_withTheirTypes_andCounted() throws Exception {
    var media = get("/live/main/chunk-stream0-00007.m4s");
    assertThat(media.body()).containsExactly(5, 6);
    assertThat(media.headers().firstValue("Content-Type")).hasValue("video/iso.segment");
    assertThat(media.headers().firstValue("Cache-Control")).hasValue("max-age=3600, immutable");
    assertThat(get("/live/main/init-stream0.m4s").headers().firstValue("Content-Type")).hasValue("video/mp4");
    assertThat(get("/live/main/init-stream1.m4s").headers().firstValue("Content-Type")).hasValue("audio/mp4");
    assertThat(handler.bytesServed("main")).isEqualTo(2 + 3 + 1);
  }

  @Test
  void segments_carryTheirSignedStatement_exposedToPagesOfOtherOrigins() throws Exception {
    SegmentVerifier verifier = SegmentVerifier.forPublicKey(store.publicKey("main").orElseThrow());
    var media = get("/live/main/chunk-stream0-00007.m4s");
    var init = get("/live/main/init-stream1.m4s");

    SegmentSignature mediaStatement = SegmentVerifier.parseEntry(media.headers().firstValue("P2P-Collab-Statement").orElseThrow());
    SegmentSignature initStatement = SegmentVerifier.parseEntry(init.headers().firstValue("P2P-Collab-Statement").orElseThrow());

    assertThat(verifier.verify(new SegmentRef("main", "0", 7), mediaStatement, media.body())).isTrue();
    assertThat(verifier.verify(SegmentRef.init("main", "1"), initStatement, init.body())).isTrue();
    assertThat(media.headers().firstValue("Access-Control-Expose-Headers")).hasValue("P2P-Collab-Statement");
    assertThat(init.headers().firstValue("Access-Control-Expose-Headers")).hasValue("P2P-Collab-Statement");
  }

  @Test
  void theStatementHeader_isThatOfTheSegmentServed_andOnlySegmentsHaveOne() throws Exception {
    var head = client.send(
        HttpRequest.newBuilder(URI.create(base + "/live/main/init-stream0.m4s")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofByteArray());

    assertThat(head.headers().firstValue("P2P-Collab-Statement"))
        .hasValue(store.statement(SegmentRef.init("main", "0")).orElseThrow().toEntryJson());
    assertThat(get("/live/main/manifest.mpd").headers().firstValue("P2P-Collab-Statement")).isEmpty();
    assertThat(get("/live/main/hashes.json").headers().firstValue("P2P-Collab-Statement")).isEmpty();
    assertThat(get("/live/main/chunk-stream0-00008.m4s").headers().firstValue("P2P-Collab-Statement")).isEmpty();
  }

  @Test
  void hashesAndSignatures_areJson_neverCached() throws Exception {
    var hashes = get("/live/main/hashes.json");
    assertThat(hashes.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(new String(hashes.body(), StandardCharsets.UTF_8)).contains("\"chunk-stream0-00007.m4s\":\"");
    assertThat(get("/live/main/signatures.json").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownEvictedOrMalformedNames_are404() throws Exception {
    assertThat(get("/live/main/chunk-stream0-00008.m4s").statusCode()).isEqualTo(404);
    assertThat(get("/live/main/chunk-stream0-7.m4s").statusCode()).isEqualTo(404);
    assertThat(get("/live/other/manifest.mpd").statusCode()).isEqualTo(404);
    assertThat(get("/live/main/..%2F..%2Fetc%2Fpasswd").statusCode()).isEqualTo(404);
    assertThat(get("/live/../../etc/passwd").statusCode()).isEqualTo(404);
    assertThat(get("/live/main/").statusCode()).isEqualTo(404);
  }

  @Test
  void onlyGetAndHead_areAllowed() throws Exception {
    var post = client.send(
        HttpRequest.newBuilder(URI.create(base + "/live/main/manifest.mpd")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(post.statusCode()).isEqualTo(405);
    var head = client.send(
        HttpRequest.newBuilder(URI.create(base + "/live/main/chunk-stream0-00007.m4s")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void theBrowserSdk_isServedFromTheJar() throws Exception {
    var sdk = get("/p2p-collab/index.js");
    assertThat(sdk.statusCode()).isEqualTo(200);
    assertThat(sdk.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(new String(sdk.body(), StandardCharsets.UTF_8)).contains("export async function createPlayer");
    assertThat(get("/p2p-collab/index.test.js").statusCode()).as("tests are not shipped").isEqualTo(404);
    assertThat(get("/p2p-collab/../../etc/passwd").statusCode()).isEqualTo(404);
  }
}
