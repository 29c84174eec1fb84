package io.p2pcollab.core.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A {@link Clock} that only moves when a test says so, for timeouts and expiry without sleeping.
 * Safe to read from any thread; {@link #advance} and {@link #set} are atomic.
 */
public final class ManualClock extends Clock {

  private final ZoneId zone;
  private volatile Instant now;

  /** A clock at 2025-01-01T00:00:00Z in UTC. */
  public ManualClock() {
    this(Instant.parse("2025-01-01T00:00:00Z"));
  }

  public ManualClock(Instant start) {
    this(start, ZoneOffset.UTC);
  }

  public ManualClock(Instant start, ZoneId zone) {
    this.now = Objects.requireNonNull(start, "start");
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /** Moves the clock forward by {@code step} (not negative) and returns the new time. */
  public synchronized Instant advance(Duration step) {
    if (step.isNegative()) {
      throw new IllegalArgumentException("time does not go backwards: " + step);
    }
    now = now.plus(step);
    return now;
  }

  /** Moves forward by {@code millis} milliseconds. */
  public Instant advanceMillis(long millis) {
    return advance(Duration.ofMillis(millis));
  }

  /** Sets the time (backwards too, to test clock steps). */
  public synchronized void set(Instant instant) {
    now = Objects.requireNonNull(instant, "instant");
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A clock in {@code newZone} that reads this clock's time (advancing this one moves both). */
  @Override
  public Clock withZone(ZoneId newZone) {
    ManualClock self = this;
    return new Clock() {
      @Override
      public Instant instant() {
        return self.instant();
      }

      @Override
      public ZoneId getZone() {
        return newZone;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return self.withZone(zone);
      }
    };
  }
}
