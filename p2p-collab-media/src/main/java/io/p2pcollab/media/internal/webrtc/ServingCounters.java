package io.p2pcollab.media.internal.webrtc;

/** Counters of what a serving peer sent, shared by its {@link SegmentServer}s; executor-confined. */
final class ServingCounters {
  long bytesServed;
  long segmentsServed;
  long requestsRefused;
}
