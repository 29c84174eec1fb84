package io.p2pcollab.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Segment integrity: the SHA-256 digests the Media Server publishes at {@code hashesUrl}. */
public final class Hashes {

  private Hashes() {}

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
