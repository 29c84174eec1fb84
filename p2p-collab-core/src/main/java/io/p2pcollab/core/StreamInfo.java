package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;
import java.util.Objects;

/**
 * A stream a peer can watch, as the signaling server announces it.
 *
 * @param id stream ID (1-64 characters of {@code [A-Za-z0-9_.-]}, not starting with '.')
 * @param manifestUrl URL (usually site-relative) of the DASH MPD
 * @param hashesUrl URL of the segment hashes ({@code {"<file name>": "<hex sha-256>"}})
 */
public record StreamInfo(String id, String manifestUrl, String hashesUrl) {

  public StreamInfo {
    Checks.name(id, "id");
    Objects.requireNonNull(manifestUrl, "manifestUrl");
    Objects.requireNonNull(hashesUrl, "hashesUrl");
    if (manifestUrl.isEmpty() || hashesUrl.isEmpty()) {
      throw new IllegalArgumentException("URLs must not be empty");
    }
  }

  /** The reference layout of docs/protocol.md §4: {@code /live/{id}/manifest.mpd} and {@code hashes.json}. */
  public static StreamInfo standard(String id) {
    return new StreamInfo(id, "/live/" + id + "/manifest.mpd", "/live/" + id + "/hashes.json");
  }
}
