package io.p2pcollab.core;

import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.p2pcollab.core.internal.Checks;
import java.io.IOException;
import java.io.StringReader;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Segment integrity: the SHA-256 digests the Media Server publishes at {@code hashesUrl}. */
public final class Hashes {

  /** Largest {@code hashes.json} read, like {@code signatures.json} (1 Mi characters). */
  public static final int MAX_LIST_CHARS = 1 << 20;

  private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");

  private Hashes() {}

  /**
   * The entries of {@code json}, the {@code hashes.json} of {@code stream} ({@code {"<file name>":
   * "<hex sha-256>"}}, docs/protocol.md §4). An entry under a name that is not a segment file name,
   * or whose value is not 64 lower-case hex digits, is left out; the others stay usable.
   *
   * @return file order; values lower-case hex
   * @throws P2pCollabException {@link ErrorCode#FRAME_TOO_LARGE} over {@link #MAX_LIST_CHARS};
   *     {@link ErrorCode#BAD_MESSAGE} if it is not one JSON object
   * @throws IllegalArgumentException if {@code stream} is not a stream ID
   */
  public static Map<SegmentRef, String> parseList(String stream, String json) {
    Checks.name(stream, "stream");
    if (json == null) {
      throw new P2pCollabException(ErrorCode.BAD_MESSAGE, "no hashes");
    }
    if (json.length() > MAX_LIST_CHARS) {
      throw new P2pCollabException(ErrorCode.FRAME_TOO_LARGE, "hashes over " + MAX_LIST_CHARS + " characters");
    }
    Map<SegmentRef, String> out = new LinkedHashMap<>();
    JsonReader reader = new JsonReader(new StringReader(json));
    reader.setStrictness(Strictness.STRICT);
    reader.setNestingLimit(16); // skipped values may nest; never deeper than signatures.json
    try {
      reader.beginObject();
      while (reader.hasNext()) {
        Optional<SegmentRef> ref = SegmentRef.fromFileName(stream, reader.nextName());
        if (reader.peek() == JsonToken.STRING) {
          String hex = reader.nextString();
          if (ref.isPresent() && HEX_SHA256.matcher(hex).matches()) {
            out.put(ref.get(), hex);
          }
        } else {
          reader.skipValue();
        }
      }
      reader.endObject();
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new P2pCollabException(ErrorCode.BAD_MESSAGE, "trailing data after the hashes");
      }
    } catch (JsonParseException | IOException | IllegalStateException e) {
      throw new P2pCollabException(ErrorCode.BAD_MESSAGE, "invalid hashes JSON: " + e.getMessage(), e);
    }
    return Collections.unmodifiableMap(out);
  }

  /** Lower-case hex SHA-256 of {@code data}. */
  public static String sha256Hex(byte[] data) {
    return HexFormat.of().formatHex(sha256(data));
  }

  /** SHA-256 of {@code data}. */
  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must support SHA-256.
      throw new IllegalStateException(e);
    }
  }

  /**
   * True if {@code data} hashes to {@code expectedHex} (hex, either case). Compared in constant
   * time, so a peer cannot probe a hash byte by byte.
   */
  public static boolean matches(byte[] data, String expectedHex) {
    if (expectedHex == null || expectedHex.length() != 64) {
      return false;
    }
    byte[] expected;
    try {
      expected = HexFormat.of().parseHex(expectedHex);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(sha256(data), expected);
  }
}
