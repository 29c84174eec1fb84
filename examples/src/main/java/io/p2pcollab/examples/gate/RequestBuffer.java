package io.p2pcollab.examples.gate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The client → backend bytes of one gate connection, in one fixed buffer the size of the header
 * cap, and where its requests begin and end. The bytes at its start that belong to complete
 * headers and their bodies are <em>cleared</em> and may go to the backend; what follows is the
 * next header, still arriving. Nothing is rewritten.
 *
 * <p>Threading: the gate's selector thread only.
 */
final class RequestBuffer {

  private final ByteBuffer buf;
  private final int maxHeaderBytes;
  private final long maxBodyBytes;
  /** Bytes at the start cleared for the backend. */
  private int cleared;
  /** Bytes of the header under way already searched for its end. */
  private int scanFrom;
  private long bodyRemaining;

  RequestBuffer(int maxHeaderBytes, long maxBodyBytes) {
    this.buf = ByteBuffer.allocate(maxHeaderBytes);
    this.maxHeaderBytes = maxHeaderBytes;
    this.maxBodyBytes = maxBodyBytes;
  }

  boolean hasRoom() {
    return buf.hasRemaining();
  }

  /** Reads what the client sent; -1 at its end of stream. */
  int readFrom(ClientTransport client) throws IOException {
    return client.read(buf);
  }

  /** Whether bytes of a request not yet cleared are held (a header under way, or pipelined). */
  boolean holdsUncleared() {
    return buf.position() > cleared;
  }

  boolean hasCleared() {
    return cleared > 0;
  }

  /**
   * The next request's header if it is complete, cleared with whatever of its body is here; null
   * if it is still arriving.
   *
   * @throws RequestHead.Refused as {@link RequestHead#parse}, and 431 for a header over the cap
   */
  RequestHead nextHead() throws RequestHead.Refused {
    if (cleared == 0) {
      skipEmptyLines();
    }
    int end = RequestHead.end(buf, cleared, Math.max(cleared, scanFrom), buf.position());
    if (end < 0) {
      scanFrom = buf.position();
      if (buf.position() - cleared >= maxHeaderBytes) {
        throw new RequestHead.Refused(431, "request header over " + maxHeaderBytes + " bytes");
      }
      return null;
    }
    RequestHead head = RequestHead.parse(buf, cleared, end, maxBodyBytes);
    cleared = end;
    scanFrom = end;
    bodyRemaining = head.bodyLength();
    return head;
  }

  /** Clears the body bytes that arrived; true once the whole body is cleared. */
  boolean clearBody() {
    long k = Math.min(buf.position() - cleared, bodyRemaining);
    cleared += (int) k;
    bodyRemaining -= k;
    scanFrom = Math.max(scanFrom, cleared);
    return bodyRemaining == 0;
  }

  /** Writes cleared bytes to the backend; returns how many it took. */
  int writeTo(SocketChannel backend) throws IOException {
    buf.flip();
    int limit = buf.limit();
    buf.limit(cleared);
    int n = backend.write(buf);
    buf.limit(limit);
    buf.compact();
    cleared -= n;
    scanFrom = Math.max(cleared, scanFrom - n);
    return n;
  }

  /** RFC 9112 §2.2: a server should ignore empty lines before a request line. */
  private void skipEmptyLines() {
    int n = 0;
    while (n < buf.position() && (buf.get(n) == '\r' || buf.get(n) == '\n')) {
      n++;
    }
    if (n > 0) {
      buf.flip().position(n);
      buf.compact();
      scanFrom = 0;
    }
  }
}
