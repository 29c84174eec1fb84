package io.p2pcollab.media.internal.webrtc;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines on an owner's serial executor: a task runs there once its delay is over, unless
 * cancelled first; and the time they are measured against. Tests supply one driven by a manual
 * clock.
 */
@FunctionalInterface
interface Timers {

  /** A scheduled task. */
  @FunctionalInterface
  interface Timer {
    /** Cancels the task if it has not run yet. Idempotent. */
    void cancel();
  }

  /** Runs {@code task} after {@code delay}. */
  Timer after(Duration delay, Runnable task);

  /** The current time, as these timers see it: the system clock unless a test drives them. */
  default Instant now() {
    return Instant.now();
  }

  /** Timers on {@code executor}. */
  static Timers on(ScheduledExecutorService executor) {
    return (delay, task) -> {
      ScheduledFuture<?> f = executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    };
  }
}
