package io.p2pcollab.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Serves the demo page from the class path, and one file (Shaka Player) from disk. */
final class StaticResources {

  private static final Map<String, String> TYPES =
      Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

  private StaticResources() {}

  /** {@code /} and {@code /name.ext} from the class path folder {@code root}. */
  static HttpHandler classpath(String root) {
    return exchange -> {
      String path = exchange.getRequestURI().getPath();
      String name = path.equals("/") ? "index.html" : path.substring(1);
      if (!name.matches("[a-z0-9-]+\\.(html|js|css)")) {
        send(exchange, 404, "text/plain", "not found".getBytes());
        return;
      }
      try (InputStream in = StaticResources.class.getResourceAsStream(root + "/" + name)) {
        if (in == null) {
          send(exchange, 404, "text/plain", "not found".getBytes());
          return;
        }
        send(exchange, 200, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), in.readAllBytes());
      }
    };
  }

  /** One file from disk, e.g. Shaka Player's compiled script from node_modules. */
  static HttpHandler file(Path file, String type) {
    return exchange -> {
      if (!Files.isRegularFile(file)) {
        send(exchange, 404, "text/plain", ("missing " + file + ": run `npm install` first").getBytes());
        return;
      }
      send(exchange, 200, type, Files.readAllBytes(file));
    };
  }

  static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(status, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }
}
