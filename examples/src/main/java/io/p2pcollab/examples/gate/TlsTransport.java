package io.p2pcollab.examples.gate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * A TLS client on an {@link SSLEngine} in server mode: the gate terminates TLS itself, so its
 * deadlines and header cap apply to the decrypted request, and its backend is plain HTTP.
 *
 * <p>Buffers are fixed at the session's sizes (about 17 KiB each, three per connection). The
 * engine's delegated tasks (certificate and key work, milliseconds) run inline on the gate's
 * selector thread. Not thread-safe.
 */
final class TlsTransport implements ClientTransport {

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private final SocketChannel channel;
  private final SSLEngine engine;
  private final ByteBuffer netIn;
  private final ByteBuffer netOut;
  private final ByteBuffer appIn;
  private boolean underflow;
  private boolean inboundDone;

  TlsTransport(SocketChannel channel, SSLEngine engine) throws SSLException {
    this.channel = channel;
    this.engine = engine;
    engine.setUseClientMode(false);
    int packet = engine.getSession().getPacketBufferSize();
    netIn = ByteBuffer.allocate(packet);
    netOut = ByteBuffer.allocate(packet);
    appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    engine.beginHandshake();
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int total = drain(dst);
    for (int round = 0; round < 16 && dst.hasRemaining() && appIn.position() == 0 && !inboundDone; round++) {
      // Decrypt what is held first; read the socket once what is held is not a whole record.
      if (netIn.position() == 0 || underflow) {
        int n = channel.read(netIn);
        if (n < 0) {
          inboundDone = true;
          break;
        }
        if (n == 0) {
          break;
        }
      }
      netIn.flip();
      SSLEngineResult r = engine.unwrap(netIn, appIn);
      netIn.compact();
      underflow = r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW;
      if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
        inboundDone = true; // close_notify
      }
      handshake();
      total += drain(dst);
    }
    return total == 0 && inboundDone && appIn.position() == 0 ? -1 : total;
  }

  /** Runs the handshake as far as it goes without input: tasks, and records to send. */
  private void handshake() throws IOException {
    for (int round = 0; round < 16; round++) {
      HandshakeStatus hs = engine.getHandshakeStatus();
      if (hs == HandshakeStatus.NEED_TASK) {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
          task.run();
        }
      } else if (hs == HandshakeStatus.NEED_WRAP) {
        if (!flushNet()) {
          return; // the socket is full: continue once it is writable
        }
        SSLEngineResult r = engine.wrap(EMPTY, netOut);
        flushNet();
        if (r.getStatus() != SSLEngineResult.Status.OK) {
          return;
        }
      } else {
        return;
      }
    }
  }

  private int drain(ByteBuffer dst) {
    if (appIn.position() == 0) {
      return 0;
    }
    appIn.flip();
    int n = Math.min(appIn.remaining(), dst.remaining());
    ByteBuffer slice = appIn.slice();
    slice.limit(n);
    dst.put(slice);
    appIn.position(appIn.position() + n);
    appIn.compact();
    return n;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    if (!flush() || isHandshaking()) {
      return 0;
    }
    int taken = 0;
    while (src.hasRemaining()) {
      SSLEngineResult r = engine.wrap(src, netOut);
      taken += r.bytesConsumed();
      if (r.getStatus() != SSLEngineResult.Status.OK || !flushNet()) {
        break;
      }
    }
    return taken;
  }

  private boolean isHandshaking() {
    HandshakeStatus hs = engine.getHandshakeStatus();
    return hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED;
  }

  /** Writes encrypted bytes held; true once none are left. */
  private boolean flushNet() throws IOException {
    if (netOut.position() > 0) {
      netOut.flip();
      channel.write(netOut);
      netOut.compact();
    }
    return netOut.position() == 0;
  }

  @Override
  public boolean flush() throws IOException {
    if (flushNet()) {
      handshake(); // e.g. a TLS 1.3 session ticket waiting to be wrapped
    }
    return !hasPendingOutput();
  }

  @Override
  public boolean hasPendingOutput() {
    return netOut.position() > 0 || engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP;
  }

  @Override
  public boolean hasBufferedInput() {
    return appIn.position() > 0 || (netIn.position() > 0 && !underflow);
  }

  @Override
  public boolean wantsRead() {
    return !inboundDone && engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP;
  }

  @Override
  public void close() {
    try {
      engine.closeOutbound();
      if (netOut.position() == 0 && !inboundDone) {
        engine.wrap(EMPTY, netOut); // close_notify, if it fits the socket now
        netOut.flip();
        channel.write(netOut);
      }
    } catch (IOException | RuntimeException e) {
      // closing anyway
    }
    try {
      channel.close();
    } catch (IOException e) {
      // closed anyway
    }
  }
}
