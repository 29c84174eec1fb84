package io.p2pcollab.media;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Serves the browser SDK, shipped in this jar under {@code META-INF/resources/p2p-collab/}, at
 * {@code /p2p-collab/} of a JDK {@link com.sun.net.httpserver.HttpServer}. Servlet containers that
 * serve WebJars ({@code META-INF/resources}) serve it at the same path without this handler.
 */
public final class ClasspathResourceHandler implements HttpHandler {

  private static final String ROOT = "/META-INF/resources/p2p-collab/";

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String name = path.substring(path.lastIndexOf('/') + 1);
      byte[] body = null;
      if (path.equals("/p2p-collab/" + name) && name.matches("[a-z0-9-]+\\.js")) {
        try (InputStream in = ClasspathResourceHandler.class.getResourceAsStream(ROOT + name)) {
          body = in == null ? null : in.readAllBytes();
        }
      }
      int status = body == null ? 404 : 200;
      byte[] out = body == null ? "not found\n".getBytes() : body;
      exchange.getResponseHeaders().set("Content-Type", body == null ? "text/plain" : "text/javascript; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.sendResponseHeaders(status, out.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(out);
      }
    }
  }
}
