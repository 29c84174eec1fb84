package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalingTransport;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.media.SuperPeers;
import io.p2pcollab.tracker.CoordinatorConfig;
import io.p2pcollab.tracker.Coordinators;
import io.p2pcollab.tracker.PeerReport;
import io.p2pcollab.tracker.WebSocketSignalingServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/** The real Coordinator behind the real WebSocket server on loopback, for the WebRTC ITs. */
final class RealSignaling implements AutoCloseable {

  static final String SUPER_PEER_TOKEN = "it-secret";

  Coordinator coordinator;
  /** Every report the Coordinator heard, as the host's {@code onReport} sees them. */
  final List<PeerReport> reports = new CopyOnWriteArrayList<>();
  private WebSocketSignalingServer server;
  private int port;

  private final int reportsToBan;
  private final StreamInfo main;

  RealSignaling() throws IOException {
    this(2);
  }

  /** @param reportsToBan how many distinct reporters ban a peer (CoordinatorConfig) */
  RealSignaling(int reportsToBan) throws IOException {
    this(reportsToBan, StreamInfo.standard("main"));
  }

  /** @param main the stream the Coordinator announces, e.g. a Media Server's signed one */
  RealSignaling(int reportsToBan, StreamInfo main) throws IOException {
    this.reportsToBan = reportsToBan;
    this.main = main;
    coordinator = newCoordinator();
    server = WebSocketSignalingServer.create(coordinator, new InetSocketAddress("127.0.0.1", 0));
    server.start();
    port = server.port();
  }

  /** A transport to the WebSocket server, as a Java peer elsewhere would use. */
  SignalingTransport transport() {
    return SuperPeers.webSocketSignaling(server.uri());
  }

  private Coordinator newCoordinator() {
    Coordinator c = Coordinators.create(
        CoordinatorConfig.builder().superPeerToken(SUPER_PEER_TOKEN).reportsToBan(reportsToBan).onReport(reports::add).build());
    c.addStream(main);
    c.start();
    return c;
  }

  /**
   * A Coordinator crash and restart: it goes away with all its state (telling nobody anything) and
   * a fresh one listens on the same port.
   */
  void restartCoordinator() throws IOException {
    coordinator.close(); // first: sockets closing afterwards must not look like peers leaving
    server.close();
    coordinator = newCoordinator();
    server = WebSocketSignalingServer.create(coordinator, new InetSocketAddress("127.0.0.1", port));
    server.start();
  }

  /** The super-peers the Tracker would hand out now. */
  List<PeerId> superPeers() {
    PeerId asker = PeerId.random(new Random());
    return coordinator.tracker().peersFor("main", asker, 20).stream()
        .filter(PeerEntry::superPeer)
        .map(PeerEntry::id)
        .toList();
  }

  @Override
  public void close() {
    server.close();
    coordinator.close();
  }
}
