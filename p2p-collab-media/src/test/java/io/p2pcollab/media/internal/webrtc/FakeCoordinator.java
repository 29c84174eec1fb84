package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingChannel;
import io.p2pcollab.core.SignalingCodec;
import io.p2pcollab.core.SignalingTransport;
import io.p2pcollab.core.StreamInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Just enough of a Coordinator to signal two Java peers in one JVM: welcome, joined (listing the
 * super-peers), signal relay, and a record of the {@code state}s received. Frames are delivered on
 * one thread, in order, like a real transport.
 */
final class FakeCoordinator implements SignalingTransport, AutoCloseable {

  private final SignalingCodec codec = SignalingCodec.json();
  private final ExecutorService delivery = Executors.newSingleThreadExecutor();
  private final Random random = new Random(7);
  private final Map<PeerId, Session> sessions = new ConcurrentHashMap<>();
  final List<SignalMessage.State> states = new CopyOnWriteArrayList<>();

  @Override
  public CompletableFuture<SignalingChannel> open(SignalingChannel.Listener listener) {
    Session s = new Session(listener);
    return CompletableFuture.completedFuture(s);
  }

  /** Closes every session from the server side, as a restarting Coordinator would. */
  void dropAll() {
    sessions.values().forEach(Session::close);
  }

  /** IDs of the super-peers registered now. */
  List<PeerId> superPeers() {
    List<PeerId> ids = new ArrayList<>();
    sessions.forEach((id, s) -> {
      if (s.role == SignalMessage.Role.SUPER_PEER) {
        ids.add(id);
      }
    });
    return ids;
  }

  @Override
  public void close() {
    delivery.shutdownNow();
  }

  private final class Session implements SignalingChannel {
    final SignalingChannel.Listener listener;
    PeerId id;
    SignalMessage.Role role;
    volatile boolean closed;

    Session(SignalingChannel.Listener listener) {
      this.listener = listener;
    }

    @Override
    public boolean send(String frame) {
      if (closed) {
        return false;
      }
      delivery.execute(() -> handle(codec.decode(frame)));
      return true;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        delivery.execute(
            () -> {
              if (id != null) {
                sessions.remove(id);
              }
              listener.onClosed("closed");
            });
      }
    }

    void deliver(SignalMessage m) {
      if (!closed) {
        listener.onFrame(codec.encode(m));
      }
    }

    private void handle(SignalMessage m) {
      if (m instanceof SignalMessage.Hello h) {
        if (id == null) {
          id = PeerId.random(random);
          role = h.role();
          sessions.put(id, this);
        }
        deliver(new SignalMessage.Welcome(id, List.of(), Duration.ofSeconds(1), List.of(stream("main"))));
      } else if (m instanceof SignalMessage.Join j) {
        List<PeerEntry> peers = new ArrayList<>();
        sessions.forEach(
            (pid, s) -> {
              if (s.role == SignalMessage.Role.SUPER_PEER) {
                peers.add(new PeerEntry(pid, true));
              }
            });
        deliver(new SignalMessage.Joined(stream(j.stream()), peers));
      } else if (m instanceof SignalMessage.Signal s) {
        Session to = sessions.get(s.to());
        if (to != null) {
          to.deliver(s.relayedFrom(id));
        }
      } else if (m instanceof SignalMessage.State st) {
        states.add(st);
      }
    }
  }

  private static StreamInfo stream(String id) {
    return new StreamInfo(id, "/live/" + id + "/manifest.mpd", "/live/" + id + "/hashes.json");
  }
}
