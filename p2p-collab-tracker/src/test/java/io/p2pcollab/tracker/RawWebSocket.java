package io.p2pcollab.tracker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A WebSocket client over a plain socket, for tests that need what the JDK client hides: the local
 * address it connects from, the raw handshake response, frames as sent, and the moment of close.
 */
final class RawWebSocket implements AutoCloseable {

  /** A frame from the server (server frames are never masked). */
  record Frame(int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** A close frame's status code. */
    int closeCode() {
      return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }
  }

  final Socket socket = new Socket();
  private final InputStream in;
  private final int port;

  /** Connects from {@code from} (any 127.x.y.z is this machine) to the server on 127.0.0.1. */
  RawWebSocket(String from, int port) throws IOException {
    this.port = port;
    socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(5000);
    in = socket.getInputStream();
  }

  /** Sends an upgrade request for {@code target} with extra header lines (each ending in CRLF). */
  RawWebSocket handshake(String target, String extraHeaders) throws IOException {
    String request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + extraHeaders + "\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return this;
  }

  /** The response head up to its blank line, e.g. {@code HTTP/1.1 101 ...}. */
  String responseHead() throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** The next frame other than a ping. */
  Frame frame() throws IOException {
    for (;;) {
      int b0 = readByte();
      int b1 = readByte();
      long len = b1 & 0x7f;
      if (len == 126) {
        len = (readByte() << 8) | readByte();
      } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++) {
          len = (len << 8) | readByte();
        }
      }
      byte[] payload = in.readNBytes((int) len);
      if ((b0 & 0x0f) != 0x9) {
        return new Frame(b0 & 0x0f, payload);
      }
    }
  }

  /** Sends one masked text frame (under 126 bytes). */
  void sendText(String text) throws IOException {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x81);
    out.write(0x80 | data.length);
    out.write(new byte[4]); // the zero mask leaves the payload as is
    out.write(data);
    socket.getOutputStream().write(out.toByteArray());
    socket.getOutputStream().flush();
  }

  /** Whether the server closes the socket within {@code within}, discarding whatever it still sends. */
  boolean closedWithin(Duration within) throws IOException {
    socket.setSoTimeout((int) within.toMillis());
    try {
      byte[] buf = new byte[4096];
      while (in.read(buf) != -1) {
        // drain
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the server
    }
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new IOException("closed by the server");
    }
    return b;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
