package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.SuperPeerConfig.ContributionCaps;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * What one contributed stream pushed within the last {@link ContributionCaps#window()}, held against
 * its caps: bytes (every PUSH chunk's payload) and segments (every segment begun, stored or not).
 * The window slides in steps of 1/1024 of it (at least 1 ms), so memory stays bounded however the
 * pushes are sliced: a push counts until a window has passed since the start of its step — never
 * longer than a window, at most one step less.
 *
 * <p>Threading: confined to the super-peer's executor; time comes from the injected {@link Clock}.
 */
final class ContributionMeter {

  private static final int STEPS = 1024;

  private final ContributionCaps caps;
  private final Clock clock;
  private final long windowMs;
  private final long stepMs;
  /** {start ms, bytes, segments} per step with pushes, oldest first. */
  private final ArrayDeque<long[]> steps = new ArrayDeque<>();
  private long bytes;
  private long segments;

  ContributionMeter(ContributionCaps caps, Clock clock) {
    this.caps = Objects.requireNonNull(caps, "caps");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.windowMs = caps.window().toMillis();
    this.stepMs = Math.max(1, windowMs / STEPS);
  }

  /**
   * Counts {@code n} pushed bytes.
   *
   * @return why the stream is over its caps now, or null while it is within them
   */
  String bytes(int n) {
    add(n, 0);
    return over();
  }

  /**
   * Counts one segment begun.
   *
   * @return why the stream is over its caps now, or null while it is within them
   */
  String segment() {
    add(0, 1);
    return over();
  }

  /** Bytes counted within the window (as of the last push). */
  long bytesInWindow() {
    return bytes;
  }

  private void add(long b, long s) {
    long now = clock.millis();
    // A step's pushes happened in [start, start + stepMs): gone once its start is a window old, so
    // that no push counts for longer than the window (an honest contributor is never over-counted).
    while (!steps.isEmpty() && steps.peekFirst()[0] <= now - windowMs) {
      long[] old = steps.removeFirst();
      bytes -= old[1];
      segments -= old[2];
    }
    long start = now - Math.floorMod(now, stepMs);
    long[] last = steps.peekLast();
    if (last == null || last[0] < start) {
      last = new long[] {start, 0, 0};
      steps.addLast(last);
    }
    last[1] += b;
    last[2] += s;
    bytes += b;
    segments += s;
  }

  private String over() {
    if (bytes > caps.bytesPerWindow()) {
      return "over " + caps.bitsPerSecond() + " bit/s (" + bytes + " bytes within " + caps.window().toMillis() + " ms)";
    }
    if (segments > caps.segmentsPerWindow()) {
      return "over " + caps.segmentsPerSecond() + " segments/s (" + segments + " within " + caps.window().toMillis() + " ms)";
    }
    return null;
  }
}
