package io.p2pcollab.core.internal;

import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.PeerSelection;
import io.p2pcollab.core.PeerSelectionInput;
import io.p2pcollab.core.PeerSelectionInput.Candidate;
import io.p2pcollab.core.SchedulerConfig;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentScheduler;
import io.p2pcollab.core.SourceDecision;
import io.p2pcollab.core.SourceInput;
import io.p2pcollab.core.SourceInput.Neighbour;
import io.p2pcollab.core.TransferProgress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** The standard policy; the rules are in {@link SegmentScheduler}'s Javadoc. Immutable. */
public final class StandardSegmentScheduler implements SegmentScheduler {

  private final SchedulerConfig config;

  public StandardSegmentScheduler(SchedulerConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  @Override
  public PeerSelection selectPeers(PeerSelectionInput in) {
    List<Candidate> superPeers = new ArrayList<>();
    List<Candidate> sources = new ArrayList<>();
    List<Candidate> others = new ArrayList<>();
    int holders = 0;
    for (Candidate c : in.candidates()) {
      if (c.id().equals(in.asker())) {
        continue;
      }
      if (c.superPeer()) {
        superPeers.add(c);
        continue;
      }
      if (c.segments() > 0) {
        holders++;
      }
      (c.segments() > 0 && c.uploadSlots() > 0 ? sources : others).add(c);
    }
    String prefix = in.asker().value() + "|";
    Comparator<Candidate> spread = byHash(c -> prefix + c.id().value(), Candidate::id);
    boolean swarmShort = holders < config.superPeerUntilSources() || sources.isEmpty();

    List<Candidate> ordered = new ArrayList<>();
    if (swarmShort) {
      superPeers.sort(spread);
      ordered.addAll(superPeers);
    }
    sources.sort(spread);
    ordered.addAll(sources);
    others.sort(spread);
    ordered.addAll(others);
    return new PeerSelection(
        ordered.stream()
            .limit(in.max())
            .map(c -> new PeerEntry(c.id(), c.superPeer()))
            .toList());
  }

  @Override
  public SourceDecision chooseSource(SourceInput in) {
    if (in.neighbours().isEmpty()) {
      return SourceDecision.http();
    }
    SegmentRef s = in.segment();
    String prefix = s.stream() + "/" + s.track() + "/" + s.number() + "|";
    long left = Duration.between(in.now(), in.deadline()).toMillis();
    Comparator<Neighbour> best =
        Comparator.comparing((Neighbour n) -> predictedLate(n, in.length(), left)) // false (on time) first
            .thenComparing(Neighbour::superPeer) // false (regular) first
            .thenComparingInt(Neighbour::outstanding)
            .thenComparing(byHash(n -> prefix + n.id().value(), Neighbour::id));
    Neighbour chosen =
        in.neighbours().stream()
            .filter(n -> n.holds()
                && n.outstanding() < config.maxOutstandingPerPeer()
                && n.failures() < config.maxFailuresPerPeer()
                && (n.superPeer() || n.lateStrikes() < config.maxLateStrikes()))
            .min(best)
            .orElse(null);
    if (chosen != null) {
      return SourceDecision.peer(chosen.id());
    }
    Instant fallback = in.deadline().minus(config.httpFallbackMargin());
    return in.now().isBefore(fallback) ? SourceDecision.waitUntil(fallback) : SourceDecision.http();
  }

  /** Whether {@code n} would need longer than {@code leftMs} for {@code length} bytes (both known). */
  private static boolean predictedLate(Neighbour n, long length, long leftMs) {
    return length > 0 && n.bytesPerSecond() > 0 && length * 1000 > leftMs * n.bytesPerSecond();
  }

  @Override
  public Instant requestDeadline(Instant now, Instant deadline) {
    Duration left = Duration.between(now, deadline);
    Duration given = left.compareTo(config.minRequest()) < 0 ? config.minRequest()
        : left.compareTo(config.maxRequest()) > 0 ? config.maxRequest() : left;
    return now.plus(given);
  }

  @Override
  public boolean transferBehind(TransferProgress p) {
    if (!p.now().isBefore(p.deadline())) {
      return true;
    }
    long elapsed = Duration.between(p.start(), p.now()).toMillis();
    long quiet = Duration.between(p.lastChunk(), p.now()).toMillis();
    long sample = config.minProgressSample().toMillis();
    // Only a stalled transfer is judged by its pace: chunks in bursts are not cut for a slow start.
    if (p.received() <= 0 || elapsed < sample || quiet < sample) {
      return false;
    }
    long left = Duration.between(p.now(), p.deadline()).toMillis();
    // remaining / (received / elapsed) > time left, without division
    return (p.total() - p.received()) * elapsed > left * p.received();
  }

  private static <T> Comparator<T> byHash(Function<T, String> key, Function<T, PeerId> id) {
    return Comparator.<T>comparingLong(t -> fnv1a32(key.apply(t))).thenComparing(id);
  }

  /** FNV-1a, 32-bit, over UTF-8; returned unsigned. Trivial to reproduce in JavaScript. */
  static long fnv1a32(String s) {
    int hash = 0x811c9dc5;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xFF;
      hash *= 0x01000193;
    }
    return Integer.toUnsignedLong(hash);
  }
}
