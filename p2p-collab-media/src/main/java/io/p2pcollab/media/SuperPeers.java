package io.p2pcollab.media;

import io.p2pcollab.core.ContributionIngest;
import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.SegmentSource;
import io.p2pcollab.core.SignalingChannel;
import io.p2pcollab.core.SignalingConnection;
import io.p2pcollab.core.SignalingTransport;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.media.internal.webrtc.InProcessSignaling;
import io.p2pcollab.media.internal.webrtc.WebRtcSuperPeer;
import io.p2pcollab.media.internal.webrtc.WebSocketSignalingTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.function.Function;

/**
 * Builds the {@link SuperPeer} on webrtc-java, and the signaling transports it can use.
 *
 * <pre>{@code
 * SuperPeer superPeer = SuperPeers.create(
 *     SuperPeerConfig.builder("main").maxPeers(4).build(),
 *     segmentStore,                                   // the Media Server's SegmentSource
 *     SuperPeers.webSocketSignaling(URI.create("ws://127.0.0.1:8081/signal")));
 * superPeer.start().join();
 * }</pre>
 */
public final class SuperPeers {

  private SuperPeers() {}

  /**
   * A new super-peer (state {@code NEW}) serving {@code config.streams()} from {@code source},
   * registering through {@code signaling}. Native WebRTC resources are taken on {@code start()}
   * and released on {@code close()}.
   */
  public static SuperPeer create(
      SuperPeerConfig config, SegmentSource source, SignalingTransport signaling) {
    return new WebRtcSuperPeer(config, source, null, signaling);
  }

  /**
   * A new super-peer that also ingests contributions: when the Coordinator grants a peer a stream,
   * it takes that peer's uploads into {@code ingest} (usually {@link MediaServer#contributions()})
   * and serves the stream as its first source.
   */
  public static SuperPeer create(
      SuperPeerConfig config, SegmentSource source, ContributionIngest ingest, SignalingTransport signaling) {
    return new WebRtcSuperPeer(config, source, Objects.requireNonNull(ingest, "ingest"), signaling);
  }

  /**
   * Signaling inside one JVM, to attach a super-peer to a Coordinator running in the same process.
   * For every channel the super-peer opens, {@code acceptor} gets the server's end of a pipe (what
   * it sends there reaches the super-peer) and returns the listener that hears the super-peer's
   * frames; feed those to the Coordinator as if they came from a WebSocket.
   */
  public static SignalingTransport inProcessSignaling(
      Function<SignalingChannel, SignalingChannel.Listener> acceptor) {
    return new InProcessSignaling(acceptor);
  }

  /**
   * Signaling inside one JVM straight into {@code coordinator}, as if each channel were a WebSocket
   * of the host's (the reference server attaches its super-peer this way).
   */
  public static SignalingTransport inProcessSignaling(Coordinator coordinator) {
    Objects.requireNonNull(coordinator, "coordinator");
    return new InProcessSignaling(toPeer -> {
      Coordinator.Session session = coordinator.connect(new SignalingConnection() {
        @Override
        public boolean send(String frame) {
          return toPeer.send(frame);
        }

        @Override
        public void close(int code, String reason) {
          toPeer.close();
        }

        @Override
        public InetSocketAddress remoteAddress() {
          return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        }
      });
      return new SignalingChannel.Listener() {
        @Override
        public void onFrame(String frame) {
          session.onText(frame);
        }

        @Override
        public void onClosed(String reason) {
          session.onClose();
        }
      };
    });
  }

  /**
   * Signaling over a WebSocket (the JDK's client), e.g. {@code ws://127.0.0.1:8081/signal}.
   *
   * @throws IllegalArgumentException if the URI is not {@code ws://} or {@code wss://}
   */
  public static SignalingTransport webSocketSignaling(URI uri) {
    return new WebSocketSignalingTransport(uri);
  }
}
