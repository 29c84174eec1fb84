package io.p2pcollab.examples;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.tracker.ContributionApprovals;
import io.p2pcollab.tracker.ContributorTokens;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The operator's HTTP API of the reference server, under {@code /operator/}; every call needs the
 * operator key ({@code Authorization: Bearer <key>}). What a host application would put behind its
 * own admin login:
 *
 * <ul>
 *   <li>{@code GET /operator/state.json}: pending requests, live contributions, and the stream table
 *       (thesis Table 4.2: each stream and its sources).
 *   <li>{@code GET /operator/streams.json}: the stream table alone.
 *   <li>{@code GET /operator/stats.json}: the public {@code /stats.json} figures, and per contributed
 *       stream (live or ended) its segments stored and HTTP bytes served: stream IDs and peer IDs are
 *       operator data, never public.
 *   <li>{@code POST /operator/approve?id=}, {@code /operator/deny?id=}: decide a pending request.
 *   <li>{@code POST /operator/revoke?stream=}: end a contribution for everyone at once.
 *   <li>{@code POST /operator/token?stream=&subject=}: issue a contributor token for this room.
 * </ul>
 *
 * <p>Threading: safe for the HTTP server's worker threads; everything it calls is thread-safe.
 */
final class OperatorApi implements HttpHandler {

  private final byte[] key;
  private final Supplier<Coordinator> coordinator;
  private final ContributionApprovals approvals;
  private final ContributorTokens tokens;
  private final String room;
  private final Supplier<JsonObject> stats;

  OperatorApi(String key, Supplier<Coordinator> coordinator, ContributionApprovals approvals, ContributorTokens tokens,
      String room, Supplier<JsonObject> stats) {
    this.key = key.getBytes(StandardCharsets.UTF_8);
    this.stats = stats;
    this.coordinator = coordinator;
    this.approvals = approvals;
    this.tokens = tokens;
    this.room = room;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      byte[] given = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).getBytes(StandardCharsets.UTF_8) : new byte[0];
      if (!MessageDigest.isEqual(given, key)) {
        reply(exchange, 401, error("the operator key is missing or wrong"));
        return;
      }
      String path = exchange.getRequestURI().getPath().substring("/operator/".length());
      Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
      boolean post = exchange.getRequestMethod().equals("POST");
      switch (path) {
        case "state.json" -> reply(exchange, 200, state());
        case "streams.json" -> reply(exchange, 200, streamTable());
        case "stats.json" -> reply(exchange, 200, stats.get());
        case "approve", "deny", "revoke", "token" -> {
          if (!post) {
            reply(exchange, 405, error("use POST"));
            return;
          }
          act(exchange, path, q);
        }
        default -> reply(exchange, 404, error("no such operator call: " + path));
      }
    } catch (RuntimeException e) {
      reply(exchange, 400, error(e.getMessage()));
    }
  }

  private void act(HttpExchange exchange, String action, Map<String, String> q) throws IOException {
    switch (action) {
      case "approve" -> reply(exchange, approvals.approve(need(q, "id")).isPresent() ? 200 : 404, ok());
      case "deny" -> reply(exchange, approvals.deny(need(q, "id")) ? 200 : 404, ok());
      case "revoke" -> reply(exchange, coordinator.get().revokeContribution(need(q, "stream")) ? 200 : 404, ok());
      case "token" -> {
        String stream = need(q, "stream");
        StreamInfo.standard(stream); // refuses an ID that is not a valid stream name
        JsonObject o = new JsonObject();
        o.addProperty("token", tokens.issue(room, stream, q.getOrDefault("subject", "operator")));
        o.addProperty("room", room);
        o.addProperty("stream", stream);
        o.addProperty("expiresInSeconds", ContributorTokens.DEFAULT_TTL.toSeconds());
        reply(exchange, 200, o);
      }
      default -> throw new IllegalStateException(action);
    }
  }

  private JsonObject state() {
    JsonObject o = new JsonObject();
    o.addProperty("room", room);
    JsonArray pending = new JsonArray();
    for (ContributionApprovals.Request r : approvals.pending()) {
      JsonObject p = new JsonObject();
      p.addProperty("id", r.id());
      p.addProperty("peer", r.peer().value());
      p.addProperty("stream", r.stream());
      p.addProperty("at", r.at().toString());
      pending.add(p);
    }
    o.add("pending", pending);
    JsonArray live = new JsonArray();
    coordinator.get().contributions().forEach((stream, peer) -> {
      JsonObject c = new JsonObject();
      c.addProperty("stream", stream);
      c.addProperty("peer", peer.value());
      live.add(c);
    });
    o.add("contributions", live);
    o.add("streams", streamTable().get("streams"));
    return o;
  }

  /** Thesis Table 4.2: stream → sources, with the contributor of each contributed stream. */
  private JsonObject streamTable() {
    Coordinator c = coordinator.get();
    Map<String, List<PeerId>> sources = c.tracker().sources();
    Map<String, PeerId> contributors = c.contributions();
    JsonArray streams = new JsonArray();
    for (StreamInfo info : c.streams()) {
      JsonObject s = new JsonObject();
      s.addProperty("id", info.id());
      s.addProperty("manifestUrl", info.manifestUrl());
      PeerId by = contributors.get(info.id());
      if (by != null) {
        s.addProperty("contributor", by.value());
      }
      JsonArray ids = new JsonArray();
      sources.getOrDefault(info.id(), List.of()).forEach(p -> ids.add(p.value()));
      s.add("sources", ids);
      streams.add(s);
    }
    JsonObject o = new JsonObject();
    o.add("streams", streams);
    return o;
  }

  private static String need(Map<String, String> q, String name) {
    String v = q.get(name);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("missing parameter '" + name + "'");
    }
    return v;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static JsonObject ok() {
    JsonObject o = new JsonObject();
    o.addProperty("ok", true);
    return o;
  }

  private static JsonObject error(String message) {
    JsonObject o = new JsonObject();
    o.addProperty("error", message);
    return o;
  }

  private static void reply(HttpExchange exchange, int status, JsonObject body) throws IOException {
    StaticResources.send(exchange, status, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
  }
}
