package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.SchedulerConfig;
import io.p2pcollab.core.SegmentScheduler;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link WebRtcViewer} fetches: the policy that picks each segment's source, gives each
 * REQUEST its deadline and judges transfers under way ({@link SegmentScheduler}), and how often a
 * transfer that receives nothing is judged again (250 ms, as in the browser SDK).
 *
 * @param scheduler the policy
 * @param progressSample a transfer under way is judged whenever a chunk arrives and at least this
 *     often (0: only when a chunk arrives and at its request deadline); &ge; 0
 */
public record FetchPolicy(SegmentScheduler scheduler, Duration progressSample) {

  public FetchPolicy {
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(progressSample, "progressSample");
    if (progressSample.isNegative()) {
      throw new IllegalArgumentException("progressSample must be >= 0: " + progressSample);
    }
  }

  /** How often a transfer that receives nothing is judged (docs/protocol.md §2.3; the browser SDK's {@code JUDGE_EVERY_MS}). */
  public static final Duration JUDGE_EVERY = Duration.ofMillis(250);

  /** {@link SegmentScheduler#standard()}, transfers judged every 250 ms. */
  public static FetchPolicy standard() {
    return of(SchedulerConfig.defaults());
  }

  /** The standard policy with {@code config}, transfers judged every 250 ms. */
  public static FetchPolicy of(SchedulerConfig config) {
    return new FetchPolicy(SegmentScheduler.standard(config), JUDGE_EVERY);
  }
}
