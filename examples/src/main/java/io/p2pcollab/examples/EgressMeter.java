package io.p2pcollab.examples;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts every byte the reference server's HTTP handlers send, by kind: the header block of each
 * response (status line and every header as written, from the header map once sent) and its body.
 * Added to every context of the {@code HttpServer}, so nothing the origin sends over HTTP escapes
 * it; the gate in front relays those bytes unchanged (TLS records, when the gate terminates TLS,
 * add their own few percent, not counted here).
 *
 * <p>Kinds split what a stream costs the origin per viewer (media, init, MPD, hash and signature
 * lists: segments and their metadata) from what a host would put on a CDN (the page, the SDK, the player) and from the
 * API ({@code config.json}, {@code stats.json}, the operator's API).
 *
 * <p>Threading: safe for the server's worker threads (one {@link LongAdder} per kind).
 */
final class EgressMeter extends Filter {

  /** What a response carried, by the path it answered. */
  enum Kind {
    MEDIA("media"),
    INIT("init"),
    MPD("mpd"),
    HASHES("hashes"),
    SIGNATURES("signatures"),
    SDK("sdk"),
    PLAYER("player"),
    PAGE("page"),
    API("api"),
    OPERATOR("operator");

    final String json;

    Kind(String json) {
      this.json = json;
    }

    /** The kind of a response to {@code path} (the raw request path). */
    static Kind of(String path) {
      if (path.startsWith("/live/")) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        return switch (file) {
          case "manifest.mpd" -> MPD;
          case "hashes.json" -> HASHES;
          case "signatures.json" -> SIGNATURES;
          default -> file.startsWith("init-") ? INIT : MEDIA;
        };
      }
      if (path.startsWith("/p2p-collab/")) {
        return SDK;
      }
      if (path.startsWith("/vendor/")) {
        return PLAYER;
      }
      if (path.equals("/config.json") || path.equals("/stats.json")) {
        return API;
      }
      if (path.startsWith("/operator/")) {
        return OPERATOR;
      }
      return PAGE;
    }
  }

  private final Map<Kind, LongAdder> bytes = new EnumMap<>(Kind.class);

  EgressMeter() {
    for (Kind k : Kind.values()) {
      bytes.put(k, new LongAdder());
    }
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    LongAdder counter = bytes.get(Kind.of(exchange.getRequestURI().getRawPath()));
    exchange.setStreams(null, new Counting(exchange.getResponseBody(), counter));
    try {
      chain.doFilter(exchange);
    } finally {
      if (exchange.getResponseCode() > 0) {
        counter.add(headerBytes(exchange));
      }
    }
  }

  /**
   * The response's header block as the JDK server writes it: {@code HTTP/1.1 <code> <reason>},
   * then each header (the server adds {@code Date} and {@code Content-length} to the map as it
   * sends them), then an empty line. The reason phrase is counted at its usual length.
   */
  static long headerBytes(HttpExchange exchange) {
    long n = "HTTP/1.1 200 OK\r\n".length();
    for (Map.Entry<String, List<String>> h : exchange.getResponseHeaders().entrySet()) {
      for (String v : h.getValue()) {
        n += h.getKey().getBytes(StandardCharsets.UTF_8).length + 2 + v.getBytes(StandardCharsets.UTF_8).length + 2;
      }
    }
    return n + 2;
  }

  /** Bytes sent so far, by kind. */
  long bytes(Kind kind) {
    return bytes.get(kind).sum();
  }

  /** Every kind's bytes so far, as {@code {"media": n, …}}. */
  JsonObject json() {
    JsonObject o = new JsonObject();
    for (Kind k : Kind.values()) {
      o.addProperty(k.json, bytes(k));
    }
    return o;
  }

  @Override
  public String description() {
    return "counts response bytes by kind";
  }

  /** A response body that counts what passes through it. */
  private static final class Counting extends FilterOutputStream {
    private final LongAdder counter;

    Counting(OutputStream out, LongAdder counter) {
      super(out);
      this.counter = counter;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      counter.increment();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      counter.add(len);
    }
  }
}
