package io.p2pcollab.core;

import java.util.Objects;

/**
 * An ICE candidate as the browser's {@code RTCIceCandidateInit} carries it.
 *
 * @param candidate the candidate line ({@code ""} marks the end of candidates)
 * @param sdpMid the media stream ID, or null
 * @param sdpMLineIndex the m-line index (&ge; 0)
 */
public record IceCandidate(String candidate, String sdpMid, int sdpMLineIndex) {

  public IceCandidate {
    Objects.requireNonNull(candidate, "candidate");
    if (sdpMLineIndex < 0 || sdpMLineIndex > 0xFFFF) {
      throw new IllegalArgumentException("sdpMLineIndex out of range: " + sdpMLineIndex);
    }
  }
}
