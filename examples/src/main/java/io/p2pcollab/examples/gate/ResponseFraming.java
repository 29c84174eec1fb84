package io.p2pcollab.examples.gate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Finds where one HTTP/1.1 response ends as its bytes go by, without copying or changing them:
 * interim 1xx responses, then a final one whose body is delimited by {@code Content-Length},
 * chunked transfer coding, or the end of the connection (RFC 9112 §6.3). The gate needs the end
 * of each response to start the clock on the next request of a kept-alive connection.
 *
 * <p>It reads responses of the gate's own backend, so it is strict: anything malformed is an
 * {@link IOException} and the connection is closed. Not thread-safe; one per response.
 */
final class ResponseFraming {

  private enum State { HEAD, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER, UNTIL_CLOSE, DONE }

  private static final int MAX_HEAD = 64 * 1024;
  private static final int MAX_LINE = 4096;

  private final boolean headRequest;
  private State state = State.HEAD;
  private final StringBuilder line = new StringBuilder();
  private int headBytes;
  private long remaining;
  private long status = -1;
  private long contentLength = -1;
  private boolean chunked;
  private boolean close;

  /** @param headRequest whether the request was {@code HEAD} (its response has no body) */
  ResponseFraming(boolean headRequest) {
    this.headRequest = headRequest;
  }

  /**
   * Reads {@code buf[from, to)}: returns how many bytes belong to this response (all of them
   * unless it ended inside).
   *
   * @throws IOException if the response is malformed or a 101 (no upgrades through the gate)
   */
  int feed(ByteBuffer buf, int from, int to) throws IOException {
    int i = from;
    while (i < to && state != State.DONE) {
      switch (state) {
        case BODY, CHUNK_DATA -> {
          int n = (int) Math.min(remaining, to - i);
          i += n;
          remaining -= n;
          if (remaining == 0) {
            state = state == State.BODY ? State.DONE : State.CHUNK_END;
          }
        }
        case UNTIL_CLOSE -> i = to;
        default -> {
          byte b = buf.get(i++);
          if (state == State.HEAD && ++headBytes > MAX_HEAD) {
            throw new IOException("response header over " + MAX_HEAD + " bytes");
          }
          if (b != '\n') {
            if (line.length() >= MAX_LINE) {
              throw new IOException("response line over " + MAX_LINE + " bytes");
            }
            line.append((char) (b & 0xff));
            continue;
          }
          int len = line.length();
          String text = len > 0 && line.charAt(len - 1) == '\r' ? line.substring(0, len - 1) : line.toString();
          line.setLength(0);
          onLine(text);
        }
      }
    }
    return i - from;
  }

  /** The backend closed its connection: true if that ends this response (rather than cutting it). */
  boolean endOfStream() {
    if (state == State.UNTIL_CLOSE) {
      state = State.DONE;
    }
    return state == State.DONE;
  }

  boolean done() {
    return state == State.DONE;
  }

  /** Whether the backend will close the connection after this response. */
  boolean closesConnection() {
    return close || state == State.UNTIL_CLOSE;
  }

  private void onLine(String text) throws IOException {
    switch (state) {
      case HEAD -> headLine(text);
      case CHUNK_SIZE -> {
        int semi = text.indexOf(';');
        String hex = (semi >= 0 ? text.substring(0, semi) : text).trim();
        if (hex.isEmpty() || hex.length() > 15) {
          throw new IOException("bad chunk size");
        }
        try {
          remaining = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size", e);
        }
        state = remaining == 0 ? State.TRAILER : State.CHUNK_DATA;
      }
      case CHUNK_END -> {
        if (!text.isEmpty()) {
          throw new IOException("chunk not followed by CRLF");
        }
        state = State.CHUNK_SIZE;
      }
      case TRAILER -> {
        if (text.isEmpty()) {
          state = State.DONE;
        }
      }
      default -> throw new IllegalStateException(state.toString());
    }
  }

  private void headLine(String text) throws IOException {
    if (status < 0) {
      String[] parts = text.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || parts[1].length() != 3) {
        throw new IOException("bad status line");
      }
      try {
        status = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        throw new IOException("bad status line", e);
      }
      close = parts[0].equals("HTTP/1.0");
      return;
    }
    if (!text.isEmpty()) {
      int colon = text.indexOf(':');
      if (colon <= 0) {
        throw new IOException("bad response field");
      }
      String name = text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = text.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
      switch (name) {
        case "content-length" -> {
          try {
            contentLength = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length", e);
          }
        }
        case "transfer-encoding" -> chunked = value.endsWith("chunked");
        case "connection" -> close = value.contains("close") || (close && !value.contains("keep-alive"));
        default -> { }
      }
      return;
    }
    // The blank line: the head is complete.
    if (status == 101) {
      throw new IOException("protocol upgrades are not forwarded");
    }
    if (status >= 100 && status < 200) {
      reset(); // an interim response; the final one follows
      return;
    }
    if (headRequest || status == 204 || status == 304) {
      state = State.DONE;
    } else if (chunked) {
      state = State.CHUNK_SIZE;
    } else if (contentLength >= 0) {
      remaining = contentLength;
      state = contentLength == 0 ? State.DONE : State.BODY;
    } else {
      state = State.UNTIL_CLOSE;
    }
  }

  private void reset() {
    status = -1;
    contentLength = -1;
    chunked = false;
    close = false;
    headBytes = 0;
  }

  @Override
  public String toString() {
    return "ResponseFraming[" + state + ", status " + status + "]";
  }
}
