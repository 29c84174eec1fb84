package io.p2pcollab.examples;

import java.time.Duration;

/** Waits on a condition instead of sleeping: polls until it holds, and fails loudly if it never does. */
public final class Await {

  /** A condition that may throw (e.g. while probing a socket); a throw counts as "not yet". */
  public interface Condition {
    boolean holds() throws Exception;
  }

  private Await() {}

  public static void until(Duration timeout, String what, Condition condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    for (;;) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what, last);
      }
      Thread.sleep(20);
    }
  }
}
