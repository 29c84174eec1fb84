package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentVerifier;
import io.p2pcollab.core.StreamInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a viewer knows the Media Server published for the segments of one stream (docs/protocol.md
 * §2.7, §6.4). For a signed stream: the statements that came with segments — in a neighbour's
 * STATEMENT, in the origin's {@code P2P-Collab-Statement} header, or from the caller of {@code
 * fetch} — each kept once it verified under the key the Coordinator gave ({@code
 * joined.stream.publicKey}) and agreed with what was known of its segment ({@link #admit}); the
 * viewer never polls {@code signatures.json}. For an unsigned stream: the SHA-256s of {@code
 * hashes.json}, read from the origin ({@link #refresh}). No bytes are handed out that do not match a
 * statement, except a signed stream's segment over HTTP from the trusted origin with none known.
 *
 * <p>Threading: confined to the viewer's serial executor; HTTP answers are handed back to it.
 */
final class SegmentStatements {

  /**
   * What a segment must be: its length (-1 when the list does not say, unsigned streams) and
   * SHA-256 (lower-case hex). Two statements agree when these are equal.
   */
  record Expected(long length, String sha256) {
    Expected {
      Objects.requireNonNull(sha256, "sha256");
    }

    static Expected of(SegmentSignature verified) {
      return new Expected(verified.length(), verified.sha256());
    }

    boolean matches(byte[] segment) {
      return (length < 0 || segment.length == length) && Hashes.matches(segment, sha256);
    }
  }

  /** What a statement received for a segment is worth ({@link #admit}). */
  enum Verdict {
    /** It verifies and agrees with what was known: kept. */
    TRUSTED,
    /** Its signature does not verify under the stream's key for that segment. */
    FORGED,
    /** It verifies, but says another length or SHA-256 than a verified statement known already. */
    CONTRADICTED
  }

  private static final Logger log = LoggerFactory.getLogger(SegmentStatements.class);
  /** Statements kept: a live window is tens of segments; old ones go first. */
  private static final int MAX_KEPT = 4096;
  private static final Duration LIST_TIMEOUT = Duration.ofSeconds(10);

  private final StreamInfo info;
  private final SegmentVerifier verifier;
  private final Map<SegmentRef, Expected> known =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SegmentRef, Expected> eldest) {
          return size() > MAX_KEPT;
        }
      };
  /** Who waits for the refresh under way; null while none is. */
  private List<Runnable> refreshing;

  SegmentStatements(StreamInfo info) {
    this.info = Objects.requireNonNull(info, "info");
    this.verifier = info.isSigned() ? SegmentVerifier.forPublicKey(info.publicKey()) : null;
  }

  StreamInfo info() {
    return info;
  }

  /** The stream's verifier; empty for an unsigned stream. */
  Optional<SegmentVerifier> verifier() {
    return Optional.ofNullable(verifier);
  }

  Optional<Expected> expected(SegmentRef ref) {
    return Optional.ofNullable(known.get(ref));
  }

  /**
   * Takes a statement about {@code ref} of this signed stream, received from a neighbour or the
   * origin: trusted, and kept, if it verifies under the stream's key and agrees with {@code held}
   * (what the fetch expects already; null if nothing) and with any statement kept for {@code ref}.
   * Two statements under one key about one segment can differ only if the Media Server signed two
   * contents for it; the one met first wins and the other is refused, never silently swapped in.
   *
   * @throws IllegalStateException if the stream is unsigned
   */
  Verdict admit(SegmentRef ref, SegmentSignature statement, Expected held) {
    if (verifier == null) {
      throw new IllegalStateException(info.id() + " is unsigned: it has no statements");
    }
    if (!verifier.verify(ref, statement)) {
      return Verdict.FORGED;
    }
    Expected said = Expected.of(statement);
    Expected kept = known.get(ref);
    if ((held != null && !held.equals(said)) || (kept != null && !kept.equals(said))) {
      return Verdict.CONTRADICTED;
    }
    known.put(ref, said);
    return Verdict.TRUSTED;
  }

  /**
   * Fetches the unsigned stream's {@code hashes.json} again from {@code origin} and runs {@code then}
   * on {@code executor} once it is read (or could not be: what was known stays known). Calls during
   * a refresh join it.
   *
   * @throws IllegalStateException if the stream is signed: its statements come with its segments
   */
  void refresh(HttpClient http, URI origin, Executor executor, Runnable then) {
    if (verifier != null) {
      throw new IllegalStateException(info.id() + " is signed: its statements come with its segments");
    }
    if (refreshing != null) {
      refreshing.add(then);
      return;
    }
    refreshing = new ArrayList<>(List.of(then));
    URI list = origin.resolve(info.hashesUrl());
    HttpRequest get = HttpRequest.newBuilder(list).timeout(LIST_TIMEOUT).header("Cache-Control", "no-cache").build();
    http.sendAsync(get, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (response, error) -> {
              try {
                executor.execute(() -> finishRefresh(list, response, error));
              } catch (RejectedExecutionException closed) {
                // the viewer closed meanwhile: nobody waits any more
              }
            });
  }

  private void finishRefresh(URI list, HttpResponse<String> response, Throwable error) {
    if (error != null) {
      log.warn("could not fetch {}: {}", list, error.toString());
    } else if (response.statusCode() != 200) {
      log.warn("{} answered HTTP {}", list, response.statusCode());
    } else {
      absorb(response.body());
    }
    List<Runnable> waiters = refreshing;
    refreshing = null;
    waiters.forEach(Runnable::run);
  }

  /**
   * Takes in the body of the unsigned stream's {@code hashes.json}; a file that cannot be read
   * changes nothing.
   *
   * @throws IllegalStateException if the stream is signed: a bare hash is no statement
   */
  void absorb(String hashesJson) {
    if (verifier != null) {
      throw new IllegalStateException(info.id() + " is signed: a bare hash is no statement");
    }
    try {
      Hashes.parseList(info.id(), hashesJson).forEach((ref, sha) -> known.put(ref, new Expected(-1, sha)));
    } catch (P2pCollabException e) {
      log.warn("refused the list of {}: {} {}", info.id(), e.code(), e.getMessage());
    }
  }
}
