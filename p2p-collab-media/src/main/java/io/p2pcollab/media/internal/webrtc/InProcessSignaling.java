package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.SignalingChannel;
import io.p2pcollab.core.SignalingTransport;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Signaling without a socket, for a peer and a Coordinator in one JVM (the reference server
 * attaches its super-peer this way). Each {@link #open} makes a pipe with two ends: the peer's
 * end, handed to the peer, and the server's end, handed to the {@code acceptor}, which returns the
 * listener that hears the peer's frames.
 *
 * <p>Threading: each pipe delivers frames of both directions, and the close, on one daemon thread
 * of its own, one at a time and in order; {@code send} and {@code close} only enqueue.
 */
public final class InProcessSignaling implements SignalingTransport {

  private final Function<SignalingChannel, SignalingChannel.Listener> acceptor;

  /**
   * @param acceptor called once per opened pipe with the server's end (send frames to the peer
   *     through it); returns the listener for the peer's frames. Called on the opener's thread;
   *     if it throws, the open fails.
   */
  public InProcessSignaling(Function<SignalingChannel, SignalingChannel.Listener> acceptor) {
    this.acceptor = Objects.requireNonNull(acceptor, "acceptor");
  }

  @Override
  public CompletableFuture<SignalingChannel> open(SignalingChannel.Listener peerListener) {
    Objects.requireNonNull(peerListener, "peerListener");
    Pipe pipe = new Pipe();
    pipe.peerEnd.listener = peerListener;
    try {
      pipe.serverEnd.listener = Objects.requireNonNull(acceptor.apply(pipe.serverEnd), "listener");
    } catch (RuntimeException e) {
      pipe.thread.shutdownNow();
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.completedFuture(pipe.peerEnd);
  }

  private static final class Pipe {
    final ExecutorService thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "p2p-collab-in-process-signaling");
              t.setDaemon(true);
              return t;
            });
    final AtomicBoolean closed = new AtomicBoolean();
    final End peerEnd = new End(this);
    final End serverEnd = new End(this);

    End other(End end) {
      return end == peerEnd ? serverEnd : peerEnd;
    }

    void close(String reason) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      try {
        thread.execute(
            () -> {
              serverEnd.listener.onClosed(reason);
              peerEnd.listener.onClosed(reason);
            });
      } catch (RejectedExecutionException e) {
        return;
      }
      thread.shutdown();
    }
  }

  private static final class End implements SignalingChannel {
    final Pipe pipe;
    volatile SignalingChannel.Listener listener;

    End(Pipe pipe) {
      this.pipe = pipe;
    }

    @Override
    public boolean send(String frame) {
      Objects.requireNonNull(frame, "frame");
      if (pipe.closed.get()) {
        return false;
      }
      End to = pipe.other(this);
      try {
        pipe.thread.execute(
            () -> {
              if (!pipe.closed.get()) {
                to.listener.onFrame(frame);
              }
            });
        return true;
      } catch (RejectedExecutionException e) {
        return false;
      }
    }

    @Override
    public void close() {
      pipe.close(this == pipe.peerEnd ? "closed by peer" : "closed by server");
    }
  }
}
