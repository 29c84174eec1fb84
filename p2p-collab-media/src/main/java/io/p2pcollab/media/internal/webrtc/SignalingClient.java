package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingChannel;
import io.p2pcollab.core.SignalingCodec;
import io.p2pcollab.core.SignalingTransport;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java peer's registration with the Coordinator: opens a {@link SignalingChannel}, says {@code
 * hello}, decodes what arrives and hands it to the owner; when the channel drops, opens a new one
 * after {@code reconnectDelay} and says {@code hello} again.
 *
 * <p>Threading: confined to the owner's serial {@code executor}: every method must be called there
 * and every {@link Handler} method is called there. Channel callbacks only enqueue.
 */
final class SignalingClient {

  private static final Logger log = LoggerFactory.getLogger(SignalingClient.class);

  /** What the owner hears, on its executor. */
  interface Handler {
    /** A decoded message from the server ({@code welcome} included). */
    void onMessage(SignalMessage message);

    /** The channel could not be opened or dropped; a reconnect follows unless closed. */
    void onDisconnected(String reason);
  }

  private final SignalingTransport transport;
  private final SignalMessage.Hello hello;
  private final ScheduledExecutorService executor;
  private final Handler handler;
  private final Duration reconnectDelay;
  private final SignalingCodec codec = SignalingCodec.json();

  private SignalingChannel channel;
  private int generation;
  private boolean closed;

  SignalingClient(
      SignalingTransport transport,
      SignalMessage.Hello hello,
      ScheduledExecutorService executor,
      Handler handler,
      Duration reconnectDelay) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.hello = Objects.requireNonNull(hello, "hello");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.reconnectDelay = Objects.requireNonNull(reconnectDelay, "reconnectDelay");
  }

  /** Opens the first channel. */
  void connect() {
    if (closed) {
      return;
    }
    int gen = ++generation;
    SignalingChannel.Listener listener =
        new SignalingChannel.Listener() {
          @Override
          public void onFrame(String frame) {
            enqueue(() -> received(gen, frame));
          }

          @Override
          public void onClosed(String reason) {
            enqueue(() -> dropped(gen, reason));
          }
        };
    transport
        .open(listener)
        .whenComplete(
            (ch, error) ->
                enqueue(
                    () -> {
                      if (error != null) {
                        dropped(gen, "cannot open signaling: " + error);
                      } else if (closed || gen != generation) {
                        ch.close();
                      } else {
                        channel = ch;
                        send(hello);
                      }
                    }));
  }

  /** Sends one message; false if there is no open channel or it refused the frame. */
  boolean send(SignalMessage message) {
    SignalingChannel ch = channel;
    return ch != null && ch.send(codec.encode(message));
  }

  /** Says {@code leave} and closes the channel; no reconnect, no further handler calls. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (channel != null) {
      send(new SignalMessage.Leave());
      channel.close();
      channel = null;
    }
  }

  private void received(int gen, String frame) {
    if (closed || gen != generation) {
      return;
    }
    SignalMessage message;
    try {
      message = codec.decode(frame);
    } catch (P2pCollabException e) {
      log.warn("ignored a signaling frame the server should not have sent: {}", e.getMessage());
      return;
    }
    handler.onMessage(message);
  }

  private void dropped(int gen, String reason) {
    if (closed || gen != generation) {
      return;
    }
    channel = null;
    log.debug("signaling dropped: {}; reconnecting in {}", reason, reconnectDelay);
    handler.onDisconnected(reason);
    try {
      executor.schedule(this::connect, reconnectDelay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // the owner is shutting down
    }
  }

  private void enqueue(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("dropped a signaling callback: executor shut down");
    }
  }
}
