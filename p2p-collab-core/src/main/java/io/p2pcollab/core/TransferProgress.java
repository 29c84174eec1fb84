package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;
import java.time.Instant;
import java.util.Objects;

/**
 * A transfer from a neighbour under way, as {@link SegmentScheduler#transferBehind} judges it.
 *
 * @param start when the REQUEST was sent
 * @param lastChunk when its latest chunk arrived ({@code start} if none yet)
 * @param now the current time
 * @param deadline the request's deadline ({@link SegmentScheduler#requestDeadline})
 * @param received bytes received so far
 * @param total the segment's length (announced by its first chunk, or signed), 0 before any chunk
 */
public record TransferProgress(Instant start, Instant lastChunk, Instant now, Instant deadline, long received, long total) {

  public TransferProgress {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(lastChunk, "lastChunk");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(deadline, "deadline");
    Checks.nonNegative(received, "received");
    Checks.nonNegative(total, "total");
    if (received > total) {
      throw new IllegalArgumentException("received " + received + " of " + total);
    }
  }
}
