package io.p2pcollab.media;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.media.internal.SegmentStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves the Media Server's live streams over HTTP, mounted at {@code /live/} of a JDK
 * {@link com.sun.net.httpserver.HttpServer} (docs/protocol.md §4): the MPD, init and media
 * segments, {@code hashes.json} and {@code signatures.json}. Segments are immutable and cached
 * for an hour; an encoder's MPD for its update period (it changes only on a restart, under a new
 * URL); a contribution's MPD and the hash lists change every second and are never cached.
 *
 * <p>Other host servers (servlets, Netty) can serve the same paths from {@link MediaServer}'s
 * accessors; this handler is the reference. Threading: safe for the server's worker threads.
 */
public final class MediaHttpHandler implements HttpHandler {

  private static final Pattern PATH = Pattern.compile("/live/([A-Za-z0-9_-][A-Za-z0-9_.-]{0,63})/([A-Za-z0-9_.-]{1,128})");

  private final SegmentStore store;
  private final Map<String, LongAdder> served = new ConcurrentHashMap<>();

  MediaHttpHandler(SegmentStore store) {
    this.store = store;
  }

  /** Segment bytes served over HTTP for {@code stream} since start. */
  public long bytesServed(String stream) {
    LongAdder a = served.get(stream);
    return a == null ? 0 : a.sum();
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        reply(exchange, 405, "text/plain", "no-store", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      Matcher m = PATH.matcher(exchange.getRequestURI().getRawPath());
      if (!m.matches() || m.group(2).startsWith(".")) {
        notFound(exchange);
        return;
      }
      String stream = m.group(1);
      String file = m.group(2);
      switch (file) {
        case "manifest.mpd" -> {
          // An MPD numbered by duration changes only when the stream restarts, under a new URL:
          // players and CDNs keep it for its update period. A contribution's grows every segment.
          long maxAge = store.manifestMaxAge(stream).toSeconds();
          send(exchange, store.manifest(stream), "application/dash+xml", maxAge > 0 ? "public, max-age=" + maxAge : "no-cache");
        }
        case "hashes.json" -> send(exchange, store.hashesJson(stream), "application/json", "no-cache");
        case "signatures.json" -> send(exchange, store.signaturesJson(stream), "application/json", "no-cache");
        default -> {
          Optional<SegmentRef> ref = SegmentRef.fromFileName(stream, file);
          Optional<SegmentStore.Stored> stored = ref.flatMap(r -> store.get(stream, file));
          if (stored.isEmpty()) {
            notFound(exchange);
            return;
          }
          byte[] bytes = stored.get().bytes();
          String type = ref.get().isInit() ? (ref.get().track().equals("1") ? "audio/mp4" : "video/mp4") : "video/iso.segment";
          if (method.equals("GET")) {
            served.computeIfAbsent(stream, k -> new LongAdder()).add(bytes.length);
          }
          // The segment's signed statement travels with it (docs/protocol.md §2.7): a viewer checks
          // the bytes without asking for signatures.json, and can tell a broken cache from the origin.
          // Every stream of the store is signed; stored with the bytes, it is of the same run.
          exchange.getResponseHeaders().set("P2P-Collab-Statement", stored.get().signature().toEntryJson());
          exchange.getResponseHeaders().set("Access-Control-Expose-Headers", "P2P-Collab-Statement");
          reply(exchange, 200, type, "max-age=3600, immutable", bytes);
        }
      }
    }
  }

  private static void send(HttpExchange exchange, Optional<byte[]> body, String type, String cache) throws IOException {
    if (body.isEmpty()) {
      notFound(exchange);
    } else {
      reply(exchange, 200, type, cache, body.get());
    }
  }

  private static void notFound(HttpExchange exchange) throws IOException {
    reply(exchange, 404, "text/plain", "no-cache", "not found\n".getBytes(StandardCharsets.UTF_8));
  }

  private static void reply(HttpExchange exchange, int status, String type, String cache, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", cache);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
