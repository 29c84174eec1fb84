package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;
import io.p2pcollab.core.internal.Ed25519;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The Media Server's signed statement about one segment (docs/protocol.md §6.2): its length, its
 * SHA-256 and the stream key's Ed25519 signature over the statement that binds both to the
 * segment's stream, track and number. It travels with the segment (§2.7) — in a {@link
 * WireMessage.Statement} before a peer's DATA, in the {@code P2P-Collab-Statement} header of the
 * origin's HTTP response ({@link #toEntryJson()}) — and is listed in {@code signatures.json}. Which
 * segment it is about is not inside it: it is the request it answers, the response's URL or the
 * file name it is listed under, and a {@link SegmentVerifier} checks the signature against the
 * {@link SegmentRef} the receiver asked for.
 *
 * <p>Made by {@link SegmentSigner#sign}; trusted only once {@link SegmentVerifier} verified it.
 *
 * @param length the segment's size in bytes, 1..2^32-1 (the wire's totalLength is a u32)
 * @param sha256 lower-case hex SHA-256 of the segment (64 characters)
 * @param sig the Ed25519 signature, unpadded base64url of 64 bytes (86 characters), canonical
 */
public record SegmentSignature(long length, String sha256, String sig) {

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  /**
   * @throws IllegalArgumentException if a field is out of range or not in its canonical spelling
   */
  public SegmentSignature {
    if (length < 1 || length > Checks.U32_MAX) {
      throw new IllegalArgumentException("length must be 1..2^32-1: " + length);
    }
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(sig, "sig");
    if (!SHA256_HEX.matcher(sha256).matches()) {
      throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits");
    }
    Ed25519.decodeBase64Url(sig, Ed25519.SIGNATURE_BYTES, "sig");
  }

  /** The SHA-256 as bytes. */
  public byte[] sha256Bytes() {
    return HexFormat.of().parseHex(sha256);
  }

  /** The signature as bytes (64). */
  public byte[] sigBytes() {
    return Ed25519.decodeBase64Url(sig, Ed25519.SIGNATURE_BYTES, "sig");
  }

  /**
   * True if {@code segment} is the segment this entry describes: same length and same SHA-256
   * (compared in constant time). Says nothing about the signature: call it on an entry that
   * {@link SegmentVerifier} returned.
   */
  public boolean matches(byte[] segment) {
    return segment.length == length && MessageDigest.isEqual(Hashes.sha256(segment), sha256Bytes());
  }

  /**
   * This statement as one entry of {@code signatures.json}, {@code
   * {"length":31,"sha256":"<hex>","sig":"<base64url>"}}, no whitespace: also the value of the
   * origin's {@code P2P-Collab-Statement} header (docs/protocol.md §2.7). Read it back with {@link
   * SegmentVerifier#parseEntry(String)}.
   */
  public String toEntryJson() {
    // Every string written is from a closed alphabet (hex, base64url): nothing to escape.
    return "{\"length\":" + length + ",\"sha256\":\"" + sha256 + "\",\"sig\":\"" + sig + "\"}";
  }

  /**
   * The body of {@code signatures.json} for {@code entries}: one JSON object keyed by segment file
   * name ({@link SegmentRef#fileName()}), sorted by name, no whitespace. The refs' streams are not
   * written: the file lives under its stream's path.
   *
   * @throws IllegalArgumentException if the refs are not all of one stream
   */
  public static String toJson(Map<SegmentRef, SegmentSignature> entries) {
    TreeMap<String, SegmentSignature> byName = new TreeMap<>();
    String stream = null;
    for (Map.Entry<SegmentRef, SegmentSignature> e : entries.entrySet()) {
      if (stream != null && !stream.equals(e.getKey().stream())) {
        throw new IllegalArgumentException("segments of two streams: " + stream + ", " + e.getKey().stream());
      }
      stream = e.getKey().stream();
      byName.put(e.getKey().fileName(), Objects.requireNonNull(e.getValue(), "signature"));
    }
    // Every string written is from a closed alphabet (file names, hex, base64url): nothing to escape.
    StringBuilder out = new StringBuilder(64 + byName.size() * 200).append('{');
    for (Map.Entry<String, SegmentSignature> e : byName.entrySet()) {
      if (out.length() > 1) {
        out.append(',');
      }
      out.append('"').append(e.getKey()).append("\":").append(e.getValue().toEntryJson());
    }
    return out.append('}').toString();
  }
}
