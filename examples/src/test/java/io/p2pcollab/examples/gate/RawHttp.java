package io.p2pcollab.examples.gate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * An HTTP/1.1 client over a plain socket, for what ordinary clients hide: the local address it
 * connects from, unfinished requests, never reading, and the moment the server closes.
 */
final class RawHttp implements AutoCloseable {

  /** A response: status line, lower-cased head, body. */
  record Response(int status, String head, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** Connects from {@code from} (any 127.x.y.z is this machine) to 127.0.0.1:{@code port}. */
  RawHttp(String from, int port) throws IOException {
    this(from, port, 0);
  }

  /** As above, with a small receive buffer if {@code receiveBuffer} > 0 (set before connecting). */
  RawHttp(String from, int port, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  RawHttp send(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: gate.test\r\n\r\n";
  }

  /** Reads one whole response (Content-Length or chunked). */
  Response response() throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after " + head.length() + " bytes of a response head: " + head);
      }
      head.append((char) b);
    }
    String lower = head.toString().toLowerCase(Locale.ROOT);
    int status = Integer.parseInt(lower.substring(9, 12));
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (lower.contains("transfer-encoding: chunked")) {
      for (;;) {
        int size = Integer.parseInt(line().split(";")[0].trim(), 16);
        if (size == 0) {
          line();
          break;
        }
        body.write(in.readNBytes(size));
        line();
      }
    } else {
      int at = lower.indexOf("content-length:");
      if (at >= 0) {
        int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
        body.write(in.readNBytes(length));
      }
    }
    return new Response(status, lower, body.toByteArray());
  }

  private String line() throws IOException {
    StringBuilder s = new StringBuilder();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new IOException("closed mid-line");
      }
      s.append((char) b);
    }
    return s.toString();
  }

  /** Whether the server closes within {@code within}; whatever it still sends is counted into {@code got}. */
  boolean closedWithin(Duration within, long[] got) throws IOException {
    socket.setSoTimeout((int) within.toMillis());
    byte[] buf = new byte[64 * 1024];
    try {
      for (int n; (n = in.read(buf)) != -1; ) {
        if (got != null) {
          got[0] += n;
        }
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  boolean closedWithin(Duration within) throws IOException {
    return closedWithin(within, null);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
