package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;

/**
 * What a peer holds of one stream, as reported in its {@code state}.
 *
 * @param stream the stream ID
 * @param segments how many segments of the live window it holds (&ge; 0)
 * @param newest the highest segment number held, or -1 for none
 */
public record StreamHolding(String stream, int segments, long newest) {

  public StreamHolding {
    Checks.name(stream, "stream");
    Checks.nonNegative(segments, "segments");
    if (newest < -1 || newest >= SegmentRef.INIT) {
      throw new IllegalArgumentException("newest must be -1 or a media segment number: " + newest);
    }
  }
}
