package io.p2pcollab.core.internal;

import java.util.Objects;
import java.util.regex.Pattern;

/** Argument checks shared by the value records. Not API. */
public final class Checks {

  /**
   * Stream and track IDs end up in URL paths and file names (docs/protocol.md §4), so they are
   * restricted to characters that need no escaping and cannot climb out of a directory.
   */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}");

  /** Largest unsigned 32-bit value. */
  public static final long U32_MAX = 0xFFFFFFFFL;

  private Checks() {}

  public static boolean isName(String s) {
    return s != null && NAME.matcher(s).matches();
  }

  public static String name(String s, String what) {
    Objects.requireNonNull(s, what);
    if (!isName(s)) {
      throw new IllegalArgumentException(
          what + " must be 1-64 characters of [A-Za-z0-9_.-], not starting with '.': " + s);
    }
    return s;
  }

  public static long u32(long v, String what) {
    if (v < 0 || v > U32_MAX) {
      throw new IllegalArgumentException(what + " must be an unsigned 32-bit value: " + v);
    }
    return v;
  }

  public static int nonNegative(int v, String what) {
    if (v < 0) {
      throw new IllegalArgumentException(what + " must be >= 0: " + v);
    }
    return v;
  }

  public static long nonNegative(long v, String what) {
    if (v < 0) {
      throw new IllegalArgumentException(what + " must be >= 0: " + v);
    }
    return v;
  }
}
