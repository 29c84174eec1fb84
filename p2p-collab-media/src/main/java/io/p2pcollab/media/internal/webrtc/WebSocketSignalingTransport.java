package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.SignalingChannel;
import io.p2pcollab.core.SignalingTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signaling over a WebSocket with the JDK's {@link java.net.http.WebSocket} client, e.g. to
 * {@code ws://127.0.0.1:8081/signal}.
 *
 * <p>Threading: the JDK calls the WebSocket listener on its client threads, one call at a time;
 * frames go to the {@link SignalingChannel.Listener} from there. The JDK allows one outstanding
 * send at a time, so sends are chained; at most {@link #MAX_QUEUED} frames wait.
 */
public final class WebSocketSignalingTransport implements SignalingTransport {

  /** Frames that may wait to be sent before {@link SignalingChannel#send} refuses more. */
  public static final int MAX_QUEUED = 256;

  /** The protocol's frame limit (docs/protocol.md §1.1): larger incoming frames close the channel. */
  static final int MAX_FRAME_CHARS = 65_536;

  private static final Logger log = LoggerFactory.getLogger(WebSocketSignalingTransport.class);
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

  private final URI uri;
  private final HttpClient client;

  public WebSocketSignalingTransport(URI uri) {
    this.uri = Objects.requireNonNull(uri, "uri");
    String scheme = uri.getScheme();
    if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
      throw new IllegalArgumentException("not a ws:// or wss:// URI: " + uri);
    }
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @Override
  public CompletableFuture<SignalingChannel> open(SignalingChannel.Listener listener) {
    Objects.requireNonNull(listener, "listener");
    Channel channel = new Channel(listener);
    return client
        .newWebSocketBuilder()
        .buildAsync(uri, channel)
        .thenApply(
            ws -> {
              channel.ws = ws;
              return (SignalingChannel) channel;
            });
  }

  private static final class Channel implements SignalingChannel, WebSocket.Listener {
    private final SignalingChannel.Listener listener;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final StringBuilder partial = new StringBuilder();
    private final Object sendLock = new Object();
    private volatile WebSocket ws;
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
    private int queued;

    Channel(SignalingChannel.Listener listener) {
      this.listener = listener;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      ws = webSocket;
      webSocket.request(1);
    }

    @Override
    public boolean send(String frame) {
      Objects.requireNonNull(frame, "frame");
      synchronized (sendLock) {
        if (closing.get() || closed.get() || queued >= MAX_QUEUED) {
          return false;
        }
        queued++;
        tail =
            tail.thenCompose(x -> ws.sendText(frame, true))
                .handle(
                    (x, error) -> {
                      synchronized (sendLock) {
                        queued--;
                      }
                      if (error != null) {
                        terminate("send failed: " + error.getMessage());
                      }
                      return null;
                    });
        return true;
      }
    }

    @Override
    public void close() {
      WebSocket socket = ws;
      if (closed.get() || socket == null || !closing.compareAndSet(false, true)) {
        return;
      }
      synchronized (sendLock) {
        // after the frames already queued, so a final "leave" still goes out
        tail = tail.thenCompose(x -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
      }
      // the server should answer the close; if it does not, give up on it
      CompletableFuture.delayedExecutor(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)
          .execute(
              () -> {
                socket.abort();
                terminate("closed");
              });
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (partial.length() > MAX_FRAME_CHARS) {
        webSocket.sendClose(1009, "frame too large");
        webSocket.abort();
        terminate("incoming frame over " + MAX_FRAME_CHARS + " characters");
        return null;
      }
      if (last) {
        String frame = partial.toString();
        partial.setLength(0);
        if (!closed.get()) {
          listener.onFrame(frame);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      log.debug("ignored a binary signaling frame");
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      terminate("closed by server: " + statusCode + (reason.isEmpty() ? "" : " " + reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      terminate("failed: " + error);
    }

    private void terminate(String reason) {
      if (closed.compareAndSet(false, true)) {
        WebSocket socket = ws;
        if (socket != null && !socket.isOutputClosed()) {
          socket.abort();
        }
        listener.onClosed(reason);
      }
    }
  }
}
