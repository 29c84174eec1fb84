package io.p2pcollab.media.internal.webrtc;

import java.util.Objects;

/**
 * An ICE candidate as signaled between peers ({@code RTCIceCandidateInit} in browsers).
 *
 * @param candidate the {@code candidate:...} attribute line
 * @param sdpMid media stream identification tag, or null
 * @param sdpMLineIndex index of the media description
 */
public record IceCandidate(String candidate, String sdpMid, int sdpMLineIndex) {
  public IceCandidate {
    Objects.requireNonNull(candidate, "candidate");
    if (sdpMLineIndex < 0) {
      throw new IllegalArgumentException("sdpMLineIndex < 0");
    }
  }
}
