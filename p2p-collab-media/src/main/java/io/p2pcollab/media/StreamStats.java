package io.p2pcollab.media;

/**
 * What the Media Server measured of one stream.
 *
 * @param bitrateBps the stream's bitrate, all tracks, from the media segments in the live window
 * @param httpBytesServed segment bytes (init and media) served over HTTP since start: the origin's
 *     HTTP egress for this stream
 * @param segments segments in the live window now
 * @param newest the newest media segment number ingested, or -1
 */
public record StreamStats(long bitrateBps, long httpBytesServed, int segments, long newest) {}
