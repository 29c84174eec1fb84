package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentVerifier;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Expected;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Verdict;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/**
 * A segment GET from the origin, for a viewer's HTTP fallback, and the check of its answer.
 * Threading: the JDK client's threads only hand the answer to the viewer's executor; once that has
 * shut down the answer is dropped. {@link #refusal} runs on the viewer's executor.
 */
final class Origin {

  /** The response header that carries a signed stream's segment statement (docs/protocol.md §2.7, §4). */
  static final String STATEMENT_HEADER = "P2P-Collab-Statement";

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Origin() {}

  /**
   * A 200 answer.
   *
   * @param body the segment's bytes
   * @param statement the {@value #STATEMENT_HEADER} header as sent (one {@code signatures.json}
   *     entry, unchecked); null if absent, as from an unsigned stream or a CDN that strips it
   */
  record Answer(byte[] body, String statement) {
    Answer {
      Objects.requireNonNull(body, "body");
    }
  }

  /**
   * Why the origin's {@code answer} for {@code f} is refused, if it is (docs/protocol.md §6.4): a
   * signed stream's {@value #STATEMENT_HEADER} header, when present, must be well formed, verify
   * and agree with what is known of the segment ({@link SegmentStatements#admit}; it is then known
   * too); the bytes must match the statement known, if any. Without a header and with no statement
   * known, the origin's bytes are taken as they are: it is trusted like the page (a CDN may strip
   * the header). An unsigned stream's header means nothing: its hash is checked as always.
   */
  static Optional<String> refusal(Fetch f, Answer answer) {
    if (f.signed() && answer.statement() != null) {
      SegmentSignature said;
      try {
        said = SegmentVerifier.parseEntry(answer.statement());
      } catch (P2pCollabException e) {
        return Optional.of("has a malformed " + STATEMENT_HEADER + " header: " + e.getMessage());
      }
      Verdict v = f.statements.admit(f.ref, said, f.expected);
      if (v == Verdict.FORGED) {
        return Optional.of("has a " + STATEMENT_HEADER + " header that does not verify under the stream's key");
      } else if (v == Verdict.CONTRADICTED) {
        return Optional.of("has a " + STATEMENT_HEADER + " header that contradicts the verified statement known");
      }
      f.expected = Expected.of(said);
    }
    if (f.expected != null && !f.expected.matches(answer.body())) {
      return Optional.of("does not match what the Media Server published");
    }
    return Optional.empty(); // it matches the statement known, or none is: the origin is trusted like the page
  }

  /**
   * GETs {@code url}; {@code done} gets, on {@code executor}, the {@link Answer} of a 200, or an
   * error text (no answer, or another status).
   */
  static void get(HttpClient http, URI url, Executor executor, BiConsumer<Answer, String> done) {
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
                    String statement = response.headers().firstValue(STATEMENT_HEADER).orElse(null);
                    done.accept(new Answer(response.body(), statement), null);
                  }
                });
              } catch (RejectedExecutionException closed) {
                // the viewer closed meanwhile: it failed the fetch already
              }
            });
  }
}
