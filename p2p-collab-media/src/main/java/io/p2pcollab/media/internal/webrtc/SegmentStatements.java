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
 * What a viewer knows the Media Server published for the segments of one stream, read from the
 * origin: for a signed stream the entries of {@code signatures.json} whose signatures verify under
 * the key the Coordinator gave ({@code joined.stream.publicKey}), for an unsigned one the SHA-256s
 * of {@code hashes.json} (docs/protocol.md §6.4). A segment without a statement here is never
 * asked of a peer, and no bytes are handed out that do not match one.
 *
 * <p>Threading: confined to the viewer's serial executor; HTTP answers are handed back to it.
 */
final class SegmentStatements {

  /**
   * What a segment must be: its length (-1 when the list does not say, unsigned streams) and
   * SHA-256 (lower-case hex).
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
   * Fetches the stream's list again from {@code origin} and runs {@code then} on {@code executor}
   * once it is read (or could not be: what was known stays known). Calls during a refresh join it.
   */
  void refresh(HttpClient http, URI origin, Executor executor, Runnable then) {
    if (refreshing != null) {
      refreshing.add(then);
      return;
    }
    refreshing = new ArrayList<>(List.of(then));
    URI list = origin.resolve(info.isSigned() ? info.signaturesUrl() : info.hashesUrl());
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

  /** Takes in the body of the stream's list; a file that cannot be read changes nothing. */
  void absorb(String body) {
    try {
      if (verifier != null) {
        SegmentVerifier.Result r = verifier.verifyAll(info.id(), body);
        if (!r.rejected().isEmpty()) {
          log.warn("{} entries of {}'s signatures left out (damaged or forged on the way?): {}",
              r.rejected().size(), info.id(), r.rejected());
        }
        r.trusted().forEach((ref, sig) -> known.put(ref, Expected.of(sig)));
      } else {
        Hashes.parseList(info.id(), body).forEach((ref, sha) -> known.put(ref, new Expected(-1, sha)));
      }
    } catch (P2pCollabException e) {
      log.warn("refused the list of {}: {} {}", info.id(), e.code(), e.getMessage());
    }
  }
}
