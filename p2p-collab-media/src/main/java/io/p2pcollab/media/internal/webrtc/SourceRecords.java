package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link WebRtcViewer} has learned of each peer as a source, for {@link
 * io.p2pcollab.core.SegmentScheduler#chooseSource}: its late strikes and its throughput. Kept per
 * peer ID for the viewer's life, so a neighbour that reconnects (or is listed again) is not given a
 * clean slate.
 *
 * <ul>
 *   <li><b>Late strikes</b>: one for every transfer of the peer's that fell behind its request
 *       deadline ({@link io.p2pcollab.core.SegmentScheduler#transferBehind}), each forgotten
 *       {@link #STRIKE_MEMORY} after it was counted — never cleared by a transfer on time, since a
 *       peer slow in bursts, or slow only for large segments, would clear it with a small one
 *       (docs/protocol.md §2.3). At {@code maxLateStrikes} (2) the scheduler asks a regular peer
 *       for nothing more.
 *   <li><b>Throughput</b>, bytes per second: an exponentially weighted moving average, each new
 *       sample weighing {@value #SAMPLE_WEIGHT_PERCENT}% (the first is taken as it is). A sample is
 *       one transfer's bytes over the time from its REQUEST to its last chunk: every transfer
 *       completed and verified, and every transfer cancelled for falling behind that had received
 *       bytes (the bytes received by then over the time to then). So it includes the round trip
 *       and the peer's queue, which is what a viewer waits for; for small segments it is mostly
 *       latency and underrates the peer, which only ranks it later, never excludes it. 0 until the
 *       first sample: not known.
 * </ul>
 *
 * <p>At most {@value #MAX_KEPT} peers are remembered, the one heard of least recently going first.
 *
 * <p>Threading: confined to the viewer's executor.
 */
final class SourceRecords {

  /** How much a new throughput sample counts in the average, in percent. */
  static final int SAMPLE_WEIGHT_PERCENT = 50;
  static final int MAX_KEPT = 1024;
  /** How long a late strike counts (the browser SDK's {@code STRIKE_MEMORY_MS}). */
  static final Duration STRIKE_MEMORY = Duration.ofSeconds(60);

  private static final class Record {
    /** When each strike was counted, oldest first. */
    final ArrayDeque<Instant> strikes = new ArrayDeque<>();
    long bytesPerSecond;
  }

  private final Map<PeerId, Record> records =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PeerId, Record> eldest) {
          return size() > MAX_KEPT;
        }
      };

  /** Transfers of {@code peer}'s that fell behind in the {@link #STRIKE_MEMORY} before {@code now}. */
  int lateStrikes(PeerId peer, Instant now) {
    Record r = records.get(peer);
    if (r == null) {
      return 0;
    }
    Instant since = now.minus(STRIKE_MEMORY);
    while (!r.strikes.isEmpty() && !r.strikes.peekFirst().isAfter(since)) {
      r.strikes.pollFirst();
    }
    return r.strikes.size();
  }

  /** {@code peer}'s measured throughput to this viewer, bytes per second; 0 if not known yet. */
  long bytesPerSecond(PeerId peer) {
    Record r = records.get(peer);
    return r == null ? 0 : r.bytesPerSecond;
  }

  /** {@code peer} completed a transfer of {@code bytes} on time, {@code took} after its REQUEST. */
  void onTime(PeerId peer, long bytes, Duration took) {
    sample(records.computeIfAbsent(peer, p -> new Record()), bytes, took);
  }

  /**
   * A transfer of {@code peer}'s fell behind its deadline with {@code bytes} received {@code took}
   * after its REQUEST: a strike, and a throughput sample if anything arrived.
   */
  void late(PeerId peer, Instant now, long bytes, Duration took) {
    Record r = records.computeIfAbsent(peer, p -> new Record());
    r.strikes.addLast(now);
    if (bytes > 0) {
      sample(r, bytes, took);
    }
  }

  private static void sample(Record r, long bytes, Duration took) {
    long rate = rate(bytes, took);
    r.bytesPerSecond = r.bytesPerSecond == 0
        ? rate
        : (r.bytesPerSecond * (100 - SAMPLE_WEIGHT_PERCENT) + rate * SAMPLE_WEIGHT_PERCENT) / 100;
  }

  /** {@code bytes} over {@code took} (at least 1 ms, so an instant on a manual clock is no division by 0), per second. */
  static long rate(long bytes, Duration took) {
    long nanos = Math.max(1_000_000L, took.toNanos());
    return Math.max(1, bytes * 1_000_000_000L / nanos);
  }
}
