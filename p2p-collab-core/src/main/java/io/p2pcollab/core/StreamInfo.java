package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;
import io.p2pcollab.core.internal.Ed25519;
import java.util.Objects;

/**
 * A stream a peer can watch, as the signaling server announces it.
 *
 * <p>A <em>signed</em> stream also carries the stream's Ed25519 public key and where its
 * signatures are published (docs/protocol.md "Signed integrity"); peers use peer-to-peer only for
 * segments whose signature verifies under that key. Both are present or both absent.
 *
 * @param id stream ID (1-64 characters of {@code [A-Za-z0-9_.-]}, not starting with '.')
 * @param manifestUrl URL (usually site-relative) of the DASH MPD
 * @param hashesUrl URL of the segment hashes ({@code {"<file name>": "<hex sha-256>"}})
 * @param publicKey the stream's 32-byte raw Ed25519 public key as unpadded base64url (43
 *     characters), or null for an unsigned stream
 * @param signaturesUrl URL of {@code signatures.json}, or null for an unsigned stream
 */
public record StreamInfo(
    String id, String manifestUrl, String hashesUrl, String publicKey, String signaturesUrl) {

  public StreamInfo {
    Checks.name(id, "id");
    Objects.requireNonNull(manifestUrl, "manifestUrl");
    Objects.requireNonNull(hashesUrl, "hashesUrl");
    if (manifestUrl.isEmpty() || hashesUrl.isEmpty()) {
      throw new IllegalArgumentException("URLs must not be empty");
    }
    if ((publicKey == null) != (signaturesUrl == null)) {
      throw new IllegalArgumentException("publicKey and signaturesUrl go together");
    }
    if (publicKey != null) {
      Ed25519.decodeBase64Url(publicKey, Ed25519.KEY_BYTES, "publicKey");
      if (signaturesUrl.isEmpty()) {
        throw new IllegalArgumentException("URLs must not be empty");
      }
    }
  }

  /** An unsigned stream. */
  public StreamInfo(String id, String manifestUrl, String hashesUrl) {
    this(id, manifestUrl, hashesUrl, null, null);
  }

  /** The reference layout of docs/protocol.md §4: {@code /live/{id}/manifest.mpd} and {@code hashes.json}. */
  public static StreamInfo standard(String id) {
    return new StreamInfo(id, "/live/" + id + "/manifest.mpd", "/live/" + id + "/hashes.json");
  }

  /**
   * The reference layout of a signed stream: {@link #standard(String)} with the MPD's URL naming
   * the run ({@code /live/{id}/manifest.mpd?run=} and the key's first 11 characters), plus {@code
   * /live/{id}/signatures.json} and {@code publicKey} (see {@link SegmentSigner#publicKey()}).
   */
  public static StreamInfo standardSigned(String id, String publicKey) {
    StreamInfo plain = standard(id);
    // The key is new each time the stream starts: so is the MPD's URL, so that a player or CDN
    // that keeps an MPD for its update period never serves one from an earlier run.
    String run = publicKey.length() > 11 ? publicKey.substring(0, 11) : publicKey;
    return new StreamInfo(id, plain.manifestUrl() + "?run=" + run, plain.hashesUrl(),
        Objects.requireNonNull(publicKey, "publicKey"), "/live/" + id + "/signatures.json");
  }

  /** This stream with a public key and signatures URL. */
  public StreamInfo signed(String publicKey, String signaturesUrl) {
    return new StreamInfo(id, manifestUrl, hashesUrl,
        Objects.requireNonNull(publicKey, "publicKey"), Objects.requireNonNull(signaturesUrl, "signaturesUrl"));
  }

  /** True if the stream's segments are signed, so peer-to-peer may be used for them. */
  public boolean isSigned() {
    return publicKey != null;
  }
}
