package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** {@link Timers} that run when a test moves its {@link ManualClock}; single-threaded, like an owner's executor. */
final class ManualTimers implements Timers {

  private final ManualClock clock;
  private final List<Entry> pending = new ArrayList<>();
  private long sequence;

  ManualTimers(ManualClock clock) {
    this.clock = clock;
  }

  private static final class Entry {
    final Instant due;
    final long order;
    final Runnable task;
    boolean cancelled;

    Entry(Instant due, long order, Runnable task) {
      this.due = due;
      this.order = order;
      this.task = task;
    }
  }

  @Override
  public Timer after(Duration delay, Runnable task) {
    Entry e = new Entry(clock.instant().plus(delay), sequence++, task);
    pending.add(e);
    return () -> e.cancelled = true;
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  /** Moves the clock by {@code step}, running every task that falls due, in order. */
  void advance(Duration step) {
    Instant until = clock.instant().plus(step);
    while (true) {
      Entry next = pending.stream()
          .filter(e -> !e.cancelled && !e.due.isAfter(until))
          .min(Comparator.comparing((Entry e) -> e.due).thenComparingLong(e -> e.order))
          .orElse(null);
      if (next == null) {
        break;
      }
      pending.remove(next);
      if (next.due.isAfter(clock.instant())) {
        clock.set(next.due);
      }
      next.task.run();
    }
    clock.set(until);
    pending.removeIf(e -> e.cancelled);
  }
}
