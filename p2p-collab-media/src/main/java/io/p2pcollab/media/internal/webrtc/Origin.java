package io.p2pcollab.media.internal.webrtc;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/**
 * A segment GET from the origin, for a viewer's HTTP fallback. Threading: the JDK client's threads
 * only hand the answer to the viewer's executor; once that has shut down the answer is dropped.
 */
final class Origin {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Origin() {}

  /**
   * GETs {@code url}; {@code done} gets, on {@code executor}, the body of a 200 answer, or an error
   * text (no answer, or another status).
   */
  static void get(HttpClient http, URI url, Executor executor, BiConsumer<byte[], String> done) {
    HttpRequest get = HttpRequest.newBuilder(url).timeout(TIMEOUT).build();
    http.sendAsync(get, HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete(
            (response, error) -> {
              try {
                executor.execute(() -> {
                  if (error != null) {
                    done.accept(null, error.toString());
                  } else if (response.statusCode() != 200) {
                    done.accept(null, "HTTP " + response.statusCode());
                  } else {
                    done.accept(response.body(), null);
                  }
                });
              } catch (RejectedExecutionException closed) {
                // the viewer closed meanwhile: it failed the fetch already
              }
            });
  }
}
