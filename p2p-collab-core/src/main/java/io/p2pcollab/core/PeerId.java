package io.p2pcollab.core;

import java.util.Base64;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * An opaque peer ID: 22 base64url characters (128 random bits, no padding), generated per page
 * visit and never derived from an address.
 *
 * @param value the 22-character base64url text
 */
public record PeerId(String value) implements Comparable<PeerId> {

  private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{22}");

  public PeerId {
    Objects.requireNonNull(value, "value");
    if (!FORMAT.matcher(value).matches()) {
      throw new IllegalArgumentException("peer ID must be 22 base64url characters: " + value);
    }
  }

  /** True if {@code text} is a well-formed peer ID. */
  public static boolean isValid(String text) {
    return text != null && FORMAT.matcher(text).matches();
  }

  /**
   * A fresh ID of 128 bits from {@code random}. Pass a {@link java.security.SecureRandom} in
   * production (IDs must not be guessable); a seeded generator makes tests deterministic.
   */
  public static PeerId random(RandomGenerator random) {
    byte[] bits = new byte[16];
    for (int i = 0; i < bits.length; i += 8) {
      long word = random.nextLong();
      for (int j = 0; j < 8; j++) {
        bits[i + j] = (byte) (word >>> (8 * j));
      }
    }
    return new PeerId(Base64.getUrlEncoder().withoutPadding().encodeToString(bits));
  }

  @Override
  public int compareTo(PeerId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
