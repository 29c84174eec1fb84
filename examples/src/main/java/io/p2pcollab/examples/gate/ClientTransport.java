package io.p2pcollab.examples.gate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The client side of a gate connection, plain or TLS, as application bytes. Non-blocking: every
 * method does what it can now and returns. Used by the gate's selector thread only.
 */
interface ClientTransport {

  /** Moves available application bytes into {@code dst}; returns how many, or -1 at end of stream. */
  int read(ByteBuffer dst) throws IOException;

  /** Takes what it can of {@code src} toward the socket; returns how many application bytes it took. */
  int write(ByteBuffer src) throws IOException;

  /** Sends what the transport itself still holds (TLS records); true once nothing is left. */
  boolean flush() throws IOException;

  /** Bytes of its own not yet on the wire. */
  boolean hasPendingOutput();

  /** Decrypted bytes, or whole records, held that {@link #read} can return without the socket. */
  boolean hasBufferedInput();

  /** Whether it must read the socket whatever the application wants (a TLS handshake). */
  boolean wantsRead();

  /** Closes the socket (after a best-effort TLS close_notify). */
  void close();

  /** A plain TCP client. */
  static ClientTransport plain(SocketChannel channel) {
    return new ClientTransport() {
      @Override
      public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
      }

      @Override
      public int write(ByteBuffer src) throws IOException {
        return channel.write(src);
      }

      @Override
      public boolean flush() {
        return true;
      }

      @Override
      public boolean hasPendingOutput() {
        return false;
      }

      @Override
      public boolean hasBufferedInput() {
        return false;
      }

      @Override
      public boolean wantsRead() {
        return false;
      }

      @Override
      public void close() {
        try {
          channel.close();
        } catch (IOException e) {
          // closed anyway
        }
      }
    };
  }
}
