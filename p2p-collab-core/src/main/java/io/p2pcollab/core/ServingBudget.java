package io.p2pcollab.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How much one neighbour may ask of a peer that serves it (docs/protocol.md §2.5): the same rules
 * as the browser SDK's {@code serving-budget.js}, pinned by {@code fixtures/serving.json}.
 *
 * <p>Every REQUEST takes a token; tokens refill at {@code perSecond} up to {@code burst}. A request
 * is served while the neighbour has fewer than {@code maxConcurrent} transfers under way and a
 * token is left; otherwise it is refused (ERROR BUSY, no work). Refusals — and anything refused
 * elsewhere, such as an unknown message answered with ERROR — pile up and drain at {@code
 * perSecond}; once more than {@code maxRefusals} are piled up the neighbour is cut: its link
 * closed, reported {@code flooding}, never served again. An honest requester asks for about one
 * segment per segment duration and stream, at most two at a time, so it is never cut.
 *
 * <p>Threading: not thread-safe; one per neighbour, used on its owner's thread.
 */
public final class ServingBudget {

  /** What a REQUEST (or another refusal) comes to. */
  public enum Decision {
    /** Serve it. */
    SERVE,
    /** Answer ERROR BUSY and do no work. */
    BUSY,
    /** Close the link, report {@code flooding}, never serve this neighbour again. */
    CUT
  }

  /**
   * The budget's limits.
   *
   * @param maxConcurrent transfers served to one neighbour at once (default 4); &ge; 1
   * @param burst requests taken at once (default 16); &ge; 1
   * @param perSecond the rate tokens refill and refusals drain at (default 8); &gt; 0
   * @param maxRefusals refusals piled up before a cut (default 32); &ge; 0
   */
  public record Config(int maxConcurrent, int burst, double perSecond, int maxRefusals) {
    public Config {
      if (maxConcurrent < 1 || burst < 1 || !(perSecond > 0) || maxRefusals < 0) {
        throw new IllegalArgumentException(
            "need maxConcurrent >= 1, burst >= 1, perSecond > 0, maxRefusals >= 0: " + this);
      }
    }

    /** 4 at once, bursts of 16, 8 per second, cut past 32 refusals. */
    public static Config defaults() {
      return new Config(4, 16, 8, 32);
    }
  }

  private final Config config;
  private double tokens;
  private double refusals;
  private Instant last;
  private boolean cut;

  public ServingBudget(Config config) {
    this.config = Objects.requireNonNull(config, "config");
    this.tokens = config.burst();
  }

  /** A REQUEST arrived at {@code now} while {@code active} of this neighbour's transfers are under way. */
  public Decision request(Instant now, int active) {
    pass(now);
    if (cut) {
      return Decision.CUT;
    }
    if (active < config.maxConcurrent() && tokens >= 1) {
      tokens -= 1;
      return Decision.SERVE;
    }
    return refuseNow();
  }

  /** Something of this neighbour's was refused elsewhere at {@code now}: BUSY or CUT. */
  public Decision refuse(Instant now) {
    pass(now);
    return cut ? Decision.CUT : refuseNow();
  }

  /** Whether the neighbour has been cut. */
  public boolean isCut() {
    return cut;
  }

  private Decision refuseNow() {
    refusals += 1;
    if (refusals > config.maxRefusals()) {
      cut = true;
    }
    return cut ? Decision.CUT : Decision.BUSY;
  }

  /** Refills tokens and drains refusals for the time since the last event; time never runs backwards. */
  private void pass(Instant now) {
    Objects.requireNonNull(now, "now");
    long elapsedMs = last == null ? 0 : Math.max(0, Duration.between(last, now).toMillis());
    if (last == null || now.isAfter(last)) {
      last = now;
    }
    double refill = elapsedMs * config.perSecond() / 1000;
    tokens = Math.min(config.burst(), tokens + refill);
    refusals = Math.max(0, refusals - refill);
  }
}
