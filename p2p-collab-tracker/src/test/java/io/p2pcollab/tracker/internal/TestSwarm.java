package io.p2pcollab.tracker.internal;

import com.google.gson.Gson;
import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.core.testing.ManualClock;
import io.p2pcollab.tracker.CoordinatorConfig;
import io.p2pcollab.tracker.Coordinators;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A started Coordinator with stream {@code main} on a manual clock, and page visits that feed it
 * frames through the host SPI from fake addresses ({@code 203.0.113.x} unless told otherwise).
 * Every send waits until the Coordinator's thread handled it.
 */
final class TestSwarm implements AutoCloseable {

  static final String SUPER_PEER_TOKEN = "sp-secret";

  final ManualClock clock = new ManualClock();
  final StandardCoordinator coordinator;
  private int nextHost = 1;
  private int nextPort = 40000;

  TestSwarm() {
    this(b -> b);
  }

  /** @param config changes to the defaults (clock and super-peer token are set already) */
  TestSwarm(UnaryOperator<CoordinatorConfig.Builder> config) {
    coordinator = (StandardCoordinator) Coordinators.create(
        config.apply(CoordinatorConfig.builder().clock(clock).superPeerToken(SUPER_PEER_TOKEN)).build());
    coordinator.addStream(StreamInfo.standard("main"));
    coordinator.start();
  }

  @Override
  public void close() {
    coordinator.close();
  }

  /** A socket from a fresh address. */
  Visit visit() {
    return visit("203.0.113." + (nextHost++ % 250 + 1));
  }

  /** A socket from {@code ip}. */
  Visit visit(String ip) {
    return new Visit(new RecordingConnection(ip, nextPort++));
  }

  /** A registered viewer from a fresh address. */
  Visit viewer() {
    return visit().hello();
  }

  /** The registered super-peer (from the host's own address). */
  Visit superPeer() {
    Visit v = visit("192.0.2.1");
    v.send("{\"v\":1,\"type\":\"hello\",\"role\":\"super-peer\",\"token\":\"" + SUPER_PEER_TOKEN + "\"}");
    v.id = ((SignalMessage.Welcome) v.socket.last()).peerId();
    return v;
  }

  void flush() {
    coordinator.run(() -> {}).join();
  }

  void sweep() {
    coordinator.run(coordinator::sweep).join();
  }

  void advance(Duration d) {
    clock.advance(d);
  }

  /** {@code a} offers to {@code b} and {@code b} answers: a relayed pair. */
  void link(Visit a, Visit b) {
    a.offer(b);
    b.answer(a);
  }

  /** A page visit: its socket, its session, and its ID once welcomed. */
  final class Visit {
    final RecordingConnection socket;
    final Coordinator.Session session;
    PeerId id;

    Visit(RecordingConnection socket) {
      this.socket = socket;
      this.session = coordinator.connect(socket);
    }

    Visit send(String frame) {
      session.onText(frame);
      flush();
      return this;
    }

    Visit hello() {
      send("{\"v\":1,\"type\":\"hello\",\"role\":\"viewer\"}");
      id = ((SignalMessage.Welcome) socket.last()).peerId();
      return this;
    }

    Visit join() {
      return join("main");
    }

    Visit join(String stream) {
      return send("{\"v\":1,\"type\":\"join\",\"stream\":\"" + stream + "\"}");
    }

    /** A {@code state} for {@code main} with 4 upload slots. */
    Visit holds(int segments, long newest) {
      return state(segments, newest, 4, List.of());
    }

    Visit state(int segments, long newest, int uploadSlots, List<Visit> servedBy) {
      StringBuilder served = new StringBuilder();
      for (Visit v : servedBy) {
        served.append(served.length() == 0 ? "" : ",").append('"').append(v.id.value()).append('"');
      }
      return send("{\"v\":1,\"type\":\"state\",\"streams\":[{\"stream\":\"main\",\"segments\":" + segments
          + ",\"newest\":" + newest + "}],\"uploadSlots\":" + uploadSlots
          + (servedBy.isEmpty() ? "" : ",\"servedBy\":[" + served + "]") + "}");
    }

    /** Anything that keeps the visit alive and changes nothing. */
    Visit keepAlive() {
      return send("{\"v\":1,\"type\":\"peers\",\"stream\":\"main\",\"max\":1}");
    }

    Visit offer(Visit to) {
      return signal(to, "\"kind\":\"offer\",\"sdp\":\"v=0\"");
    }

    Visit answer(Visit to) {
      return signal(to, "\"kind\":\"answer\",\"sdp\":\"v=0\"");
    }

    Visit candidate(Visit to) {
      return signal(to, "\"kind\":\"candidate\",\"candidate\":{\"candidate\":\"candidate:1 1 udp 1 192.0.2.9 9 typ host\","
          + "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}");
    }

    private Visit signal(Visit to, String body) {
      return send("{\"v\":1,\"type\":\"signal\",\"to\":\"" + to.id.value() + "\"," + body + "}");
    }

    Visit report(Visit peer, String reason) {
      return send("{\"v\":1,\"type\":\"report\",\"peer\":\"" + peer.id.value() + "\",\"stream\":\"main\",\"reason\":"
          + new Gson().toJson(reason) + "}");
    }

    /** The peer list of the last {@code joined}. */
    List<PeerEntry> joinedPeers() {
      List<SignalMessage.Joined> all = socket.all(SignalMessage.Joined.class);
      return all.get(all.size() - 1).peers();
    }

    /** The signals relayed to this visit. */
    List<SignalMessage.Signal> signals() {
      return socket.all(SignalMessage.Signal.class);
    }

    List<SignalMessage.Error> errors() {
      return socket.all(SignalMessage.Error.class);
    }

    SignalMessage.Error lastError() {
      List<SignalMessage.Error> all = errors();
      return all.isEmpty() ? null : all.get(all.size() - 1);
    }
  }
}
