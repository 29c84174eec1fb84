package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A {@link SegmentSource} over a map, for tests: {@link #put} publishes a segment. */
final class InMemorySegmentSource implements SegmentSource {

  private final Map<SegmentRef, byte[]> segments = new ConcurrentHashMap<>();
  private final List<Consumer<SegmentRef>> listeners = new CopyOnWriteArrayList<>();

  void put(SegmentRef ref, byte[] bytes) {
    segments.put(ref, bytes.clone());
    listeners.forEach(l -> l.accept(ref));
  }

  void remove(SegmentRef ref) {
    segments.remove(ref);
  }

  @Override
  public Optional<byte[]> segment(SegmentRef ref) {
    return Optional.ofNullable(segments.get(ref)).map(byte[]::clone);
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
