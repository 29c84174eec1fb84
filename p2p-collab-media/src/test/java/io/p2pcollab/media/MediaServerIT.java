package io.p2pcollab.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentVerifier;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Media Server ingesting real ffmpeg output, served over a real HTTP server. */
class MediaServerIT {

  private final HttpClient client = HttpClient.newHttpClient();

  private String get(String url) throws Exception {
    return new String(getBytes(url), StandardCharsets.UTF_8);
  }

  private byte[] getBytes(String url) throws Exception {
    HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    return r.body();
  }

  @Test
  void ingestsRealFfmpegOutput_andServesAVerifiableLiveStream() throws Exception {
    try (MediaServer media = MediaServer.create(java.util.List.of(LiveSource.builder("main").build()))) {
      java.util.List<io.p2pcollab.core.StreamInfo> started = new java.util.concurrent.CopyOnWriteArrayList<>();
      media.onStreamStarted(started::add);
      media.start();
      HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      http.createContext("/live/", media.httpHandler());
      http.start();
      try {
        String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/live/main/";
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (media.stats("main").newest() < 4 && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        String mpd = get(base + "manifest.mpd");
        // Numbered by duration: the MPD stays the same for the run, players fetch it every 60 s.
        assertThat(mpd).contains("type=\"dynamic\"", "duration=\"1000000\"", "minimumUpdatePeriod=\"PT60S\"",
            "suggestedPresentationDelay=\"PT6S\"").doesNotContain("<SegmentTimeline");
        assertThat(started.get(started.size() - 1).manifestUrl()).startsWith("/live/main/manifest.mpd?run=");

        Matcher newest = Pattern.compile("chunk-stream0-(\\d{5})\\.m4s").matcher(get(base + "hashes.json"));
        long last = 0;
        while (newest.find()) {
          last = Math.max(last, Long.parseLong(newest.group(1)));
        }
        String name = new SegmentRef("main", "0", last).fileName();
        byte[] segment = getBytes(base + name);
        byte[] init = getBytes(base + "init-stream0.m4s");
        String hashes = get(base + "hashes.json");
        assertThat(hashes).contains("\"" + name + "\":\"" + Hashes.sha256Hex(segment) + "\"");
        assertThat(hashes).contains("\"init-stream0.m4s\":\"" + Hashes.sha256Hex(init) + "\"");
        assertThat(new String(init, 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");

        var verifier = SegmentVerifier.forPublicKey(started.get(started.size() - 1).publicKey());
        var trusted = verifier.verifyAll("main", get(base + "signatures.json")).trusted();
        assertThat(trusted.get(new SegmentRef("main", "0", last)).matches(segment)).isTrue();

        long before = media.stats("main").newest();
        Thread.sleep(2500);
        assertThat(media.stats("main").newest()).as("the stream advances").isGreaterThan(before);
        assertThat(media.stats("main").bitrateBps()).isBetween(300_000L, 3_000_000L);
        assertThat(media.stats("main").httpBytesServed()).isEqualTo((long) segment.length + init.length);
      } finally {
        http.stop(0);
      }
    }
  }
}
