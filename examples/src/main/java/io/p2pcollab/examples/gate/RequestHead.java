package io.p2pcollab.examples.gate;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What the gate needs to know of one request header: where it ends, its method, and how long its
 * body is. It reads, never rewrites: the header is forwarded byte for byte.
 *
 * @param method the request method, e.g. {@code GET}
 * @param bodyLength the body's length from {@code Content-Length} (0 without one)
 */
record RequestHead(String method, long bodyLength) {

  /** A request the gate answers itself with {@code status} and closes. */
  static final class Refused extends Exception {
    final int status;

    Refused(int status, String reason) {
      super(reason, null, false, false);
      this.status = status;
    }
  }

  /**
   * The index just past the blank line ending a header that starts at {@code start}, or -1 if
   * {@code buf[start, to)} holds no complete header yet; bytes before {@code scanFrom} were
   * already searched. Lines end in CRLF or, leniently, LF.
   */
  static int end(ByteBuffer buf, int start, int scanFrom, int to) {
    for (int i = Math.max(start + 1, scanFrom - 2); i < to; i++) {
      if (buf.get(i) != '\n') {
        continue;
      }
      byte prev = buf.get(i - 1);
      if (prev == '\n' || (prev == '\r' && i - 2 >= start && buf.get(i - 2) == '\n')) {
        return i + 1;
      }
    }
    return -1;
  }

  /**
   * Parses the header in {@code buf[from, to)}, which {@link #end} found complete.
   *
   * @throws Refused 400 for a malformed request line or field, 505 for a version other than
   *     HTTP/1.0 or 1.1, 501 for a {@code Transfer-Encoding} (request bodies must have a length),
   *     413 for a body over {@code maxBody}
   */
  static RequestHead parse(ByteBuffer buf, int from, int to, long maxBody) throws Refused {
    byte[] bytes = new byte[to - from];
    buf.get(from, bytes);
    String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r?\n");
    String[] requestLine = lines[0].split(" ", -1);
    if (requestLine.length != 3 || !isToken(requestLine[0]) || requestLine[1].isEmpty()) {
      throw new Refused(400, "malformed request line");
    }
    if (!requestLine[2].equals("HTTP/1.1") && !requestLine[2].equals("HTTP/1.0")) {
      throw new Refused(requestLine[2].startsWith("HTTP/") ? 505 : 400, "unsupported version");
    }
    long length = -1;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || !isToken(line.substring(0, colon))) {
        throw new Refused(400, "malformed header field"); // obs-fold too: a line starting with a space
      }
      String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      if (name.equals("transfer-encoding")) {
        throw new Refused(501, "request bodies need a Content-Length");
      }
      if (name.equals("content-length")) {
        long v = contentLength(value);
        if (length >= 0 && length != v) {
          throw new Refused(400, "conflicting Content-Length");
        }
        length = v;
      }
    }
    if (length > maxBody) {
      throw new Refused(413, "request body too large");
    }
    return new RequestHead(requestLine[0], Math.max(0, length));
  }

  private static long contentLength(String value) throws Refused {
    if (value.isEmpty() || value.length() > 18) {
      throw new Refused(400, "bad Content-Length");
    }
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        throw new Refused(400, "bad Content-Length");
      }
    }
    return Long.parseLong(value);
  }

  /** RFC 9110 token characters. */
  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  boolean isHead() {
    return method.equals("HEAD");
  }
}
