package io.p2pcollab.media.internal;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentSigner;
import io.p2pcollab.core.SegmentSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live window of every stream: complete segments in memory with their SHA-256 and Ed25519
 * signature, and the last MPD whose segments are all here.
 *
 * <p>Threading: safe for concurrent use; a monitor guards the tables, and listeners are called
 * after it is released, on the thread that added the segment.
 */
public final class SegmentStore implements SegmentSource {

  private static final Logger log = LoggerFactory.getLogger(SegmentStore.class);

  /** One stored segment. */
  public record Stored(SegmentRef ref, byte[] bytes, String sha256, SegmentSignature signature) {}

  private static final class Stream {
    final SegmentSigner signer = SegmentSigner.generate();
    final int window;
    final Map<String, Stored> files = new LinkedHashMap<>(); // insertion order = arrival order
    byte[] manifest;
    Duration manifestMaxAge = Duration.ZERO;

    Stream(int window) {
      this.window = window;
    }
  }

  private final Map<String, Stream> streams = new LinkedHashMap<>();
  private final List<Consumer<SegmentRef>> listeners = new CopyOnWriteArrayList<>();

  /**
   * Starts (or restarts) {@code stream} with an empty window and a fresh signing key: an encoder
   * that starts over reuses segment numbers, and old signatures must not vouch for new bytes.
   *
   * @param window media segments kept per track
   * @return the stream's public key
   */
  public synchronized String open(String stream, int window) {
    Stream s = new Stream(window);
    streams.put(stream, s);
    return s.signer.publicKey();
  }

  public synchronized void close(String stream) {
    streams.remove(stream);
  }

  /** The stream's public key, if it is open. */
  public synchronized Optional<String> publicKey(String stream) {
    return Optional.ofNullable(streams.get(stream)).map(s -> s.signer.publicKey());
  }

  /**
   * Adds a complete segment: hashes and signs it, evicts what fell out of the window, tells the
   * listeners. A segment already held is ignored.
   *
   * @return false if the stream is not open or the segment was already held
   */
  public boolean add(SegmentRef ref, byte[] bytes) {
    Stored stored;
    synchronized (this) {
      Stream s = streams.get(ref.stream());
      if (s == null || s.files.containsKey(ref.fileName())) {
        return false;
      }
      stored = new Stored(ref, bytes, Hashes.sha256Hex(bytes), s.signer.sign(ref, bytes));
      s.files.put(ref.fileName(), stored);
      evict(s, ref.track());
    }
    for (Consumer<SegmentRef> l : listeners) {
      try {
        l.accept(ref);
      } catch (RuntimeException e) {
        log.warn("segment listener failed", e);
      }
    }
    return true;
  }

  private static void evict(Stream s, String track) {
    List<String> media = new ArrayList<>();
    for (Stored st : s.files.values()) {
      if (!st.ref().isInit() && st.ref().track().equals(track)) {
        media.add(st.ref().fileName());
      }
    }
    for (int i = 0; i < media.size() - s.window; i++) {
      s.files.remove(media.get(i));
    }
  }

  /** Whether {@code fileName} of {@code stream} is held. */
  public synchronized boolean holds(String stream, String fileName) {
    Stream s = streams.get(stream);
    return s != null && s.files.containsKey(fileName);
  }

  public synchronized Optional<Stored> get(String stream, String fileName) {
    Stream s = streams.get(stream);
    return Optional.ofNullable(s == null ? null : s.files.get(fileName));
  }

  /** Publishes an MPD whose segments are all held (the caller checks), never to be cached. */
  public void publishManifest(String stream, byte[] mpd) {
    publishManifest(stream, mpd, Duration.ZERO);
  }

  /**
   * Publishes an MPD whose segments are all held (the caller checks), which players and caches
   * may keep for {@code maxAge} (zero: they must ask again every time).
   */
  public synchronized void publishManifest(String stream, byte[] mpd, Duration maxAge) {
    Stream s = streams.get(stream);
    if (s != null) {
      s.manifest = mpd.clone();
      s.manifestMaxAge = maxAge;
    }
  }

  /** How long the stream's MPD may be cached; zero if it may not be (or there is none). */
  public synchronized Duration manifestMaxAge(String stream) {
    Stream s = streams.get(stream);
    return s == null ? Duration.ZERO : s.manifestMaxAge;
  }

  public synchronized Optional<byte[]> manifest(String stream) {
    Stream s = streams.get(stream);
    return Optional.ofNullable(s == null ? null : s.manifest);
  }

  /** {@code {"file": "hex sha-256"}} for the window (docs/protocol.md §4). */
  public synchronized Optional<byte[]> hashesJson(String stream) {
    Stream s = streams.get(stream);
    if (s == null) {
      return Optional.empty();
    }
    StringBuilder json = new StringBuilder("{");
    for (Stored st : s.files.values()) {
      if (json.length() > 1) {
        json.append(',');
      }
      json.append('"').append(st.ref().fileName()).append("\":\"").append(st.sha256()).append('"');
    }
    return Optional.of(json.append('}').toString().getBytes(StandardCharsets.UTF_8));
  }

  /** {@code signatures.json} for the window (docs/protocol.md §6). */
  public synchronized Optional<byte[]> signaturesJson(String stream) {
    Stream s = streams.get(stream);
    if (s == null) {
      return Optional.empty();
    }
    Map<SegmentRef, SegmentSignature> sigs = new TreeMap<>((a, b) -> a.fileName().compareTo(b.fileName()));
    for (Stored st : s.files.values()) {
      sigs.put(st.ref(), st.signature());
    }
    return Optional.of(SegmentSignature.toJson(sigs).getBytes(StandardCharsets.UTF_8));
  }

  /** Bits per second of the media segments in the window, all tracks, for segments of {@code seconds}. */
  public synchronized long bitrateBps(String stream, double segmentSeconds) {
    Stream s = streams.get(stream);
    if (s == null) {
      return 0;
    }
    Map<String, long[]> perTrack = new LinkedHashMap<>(); // track -> {bytes, count}
    for (Stored st : s.files.values()) {
      if (!st.ref().isInit()) {
        long[] t = perTrack.computeIfAbsent(st.ref().track(), k -> new long[2]);
        t[0] += st.bytes().length;
        t[1]++;
      }
    }
    double bps = 0;
    for (long[] t : perTrack.values()) {
      bps += t[0] * 8.0 / (t[1] * segmentSeconds);
    }
    return Math.round(bps);
  }

  /** Segments held and the newest media number. */
  public synchronized long[] counts(String stream) {
    Stream s = streams.get(stream);
    if (s == null) {
      return new long[] {0, -1};
    }
    long newest = -1;
    for (Stored st : s.files.values()) {
      if (!st.ref().isInit()) {
        newest = Math.max(newest, st.ref().number());
      }
    }
    return new long[] {s.files.size(), newest};
  }

  @Override
  public Optional<byte[]> segment(SegmentRef ref) {
    return get(ref.stream(), ref.fileName()).map(Stored::bytes);
  }

  /** The signature made when {@code ref} was added: every stream of the store is signed. */
  @Override
  public Optional<SegmentSignature> statement(SegmentRef ref) {
    return get(ref.stream(), ref.fileName()).map(Stored::signature);
  }

  @Override
  public synchronized List<SegmentRef> window(String stream) {
    Stream s = streams.get(stream);
    return s == null ? List.of() : s.files.values().stream().map(Stored::ref).toList();
  }

  @Override
  public AutoCloseable onSegment(Consumer<SegmentRef> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}
