package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.SignalingChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InProcessSignalingTest {

  private final Recorder peer = new Recorder();
  private final Recorder server = new Recorder();
  private final AtomicReference<SignalingChannel> serverEnd = new AtomicReference<>();
  private final InProcessSignaling transport =
      new InProcessSignaling(
          end -> {
            serverEnd.set(end);
            return server;
          });

  @Test
  void frames_travelBothWays_inOrder() throws Exception {
    SignalingChannel peerEnd = transport.open(peer).get(1, TimeUnit.SECONDS);
    for (int i = 0; i < 50; i++) {
      peerEnd.send("p" + i);
      serverEnd.get().send("s" + i);
    }
    for (int i = 0; i < 50; i++) {
      assertThat(server.frames.poll(1, TimeUnit.SECONDS)).isEqualTo("p" + i);
      assertThat(peer.frames.poll(1, TimeUnit.SECONDS)).isEqualTo("s" + i);
    }
  }

  @Test
  void closingEitherEnd_closesBoth_once_andLaterSendsAreRefused() throws Exception {
    SignalingChannel peerEnd = transport.open(peer).get(1, TimeUnit.SECONDS);
    serverEnd.get().close();
    peerEnd.close();
    assertThat(peer.closed.get(1, TimeUnit.SECONDS)).isEqualTo("closed by server");
    assertThat(server.closed.get(1, TimeUnit.SECONDS)).isEqualTo("closed by server");
    assertThat(peerEnd.send("late")).isFalse();
    assertThat(serverEnd.get().send("late")).isFalse();
  }

  @Test
  void anAcceptorThatThrows_failsTheOpen() {
    InProcessSignaling refusing =
        new InProcessSignaling(
            end -> {
              throw new IllegalStateException("coordinator closed");
            });
    assertThatThrownBy(() -> refusing.open(peer).get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseMessage("coordinator closed");
  }

  private static final class Recorder implements SignalingChannel.Listener {
    final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();

    @Override
    public void onFrame(String frame) {
      frames.add(frame);
    }

    @Override
    public void onClosed(String reason) {
      if (!closed.complete(reason)) {
        throw new AssertionError("closed twice");
      }
    }
  }
}
