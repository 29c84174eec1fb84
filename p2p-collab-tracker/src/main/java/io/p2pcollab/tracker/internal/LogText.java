package io.p2pcollab.tracker.internal;

/**
 * Makes text a peer chose safe to log: only {@code [A-Za-z0-9._-]} is written as is, every other
 * character as a backslash, {@code u} and four hex digits (Java's escape), so a peer cannot forge
 * log lines (newlines), hide text (control characters, bidi overrides) or inject markup into a log
 * viewer. Stateless.
 */
final class LogText {

  private LogText() {}

  static String escape(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-') {
        b.append(c);
      } else {
        b.append(String.format("\\u%04x", (int) c));
      }
    }
    return b.toString();
  }
}
