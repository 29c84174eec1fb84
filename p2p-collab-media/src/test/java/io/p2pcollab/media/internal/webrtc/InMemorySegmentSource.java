package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentSigner;
import io.p2pcollab.core.SegmentSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link SegmentSource} over a map, for tests: {@link #put} publishes a segment. Made with a
 * signer, it is a signed stream's source: every segment put is signed, and served with its
 * statement; without one, its streams are unsigned.
 */
final class InMemorySegmentSource implements SegmentSource {

  private final Map<SegmentRef, byte[]> segments = new ConcurrentHashMap<>();
  private final Map<SegmentRef, SegmentSignature> statements = new ConcurrentHashMap<>();
  private final List<Consumer<SegmentRef>> listeners = new CopyOnWriteArrayList<>();
  private final SegmentSigner signer;

  /** The source of unsigned streams. */
  InMemorySegmentSource() {
    this(null);
  }

  /** The source of streams signed by {@code signer} (null: unsigned). */
  InMemorySegmentSource(SegmentSigner signer) {
    this.signer = signer;
  }

  void put(SegmentRef ref, byte[] bytes) {
    if (signer != null) {
      statements.put(ref, signer.sign(ref, bytes));
    }
    segments.put(ref, bytes.clone());
    listeners.forEach(l -> l.accept(ref));
  }

  void remove(SegmentRef ref) {
    segments.remove(ref);
    statements.remove(ref);
  }

  @Override
  public Optional<byte[]> segment(SegmentRef ref) {
    return Optional.ofNullable(segments.get(ref)).map(byte[]::clone);
  }

  @Override
  public Optional<SegmentSignature> statement(SegmentRef ref) {
    return Optional.ofNullable(statements.get(ref));
  }

  @Override
  public List<SegmentRef> window(String stream) {
    return segments.keySet().stream().filter(r -> r.stream().equals(stream)).toList();
  }

  @Override
  public AutoCloseable onSegment(Consumer<SegmentRef> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}
