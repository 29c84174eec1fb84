package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.IceCandidate;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingTransport;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scripted hostile viewer on raw webrtc-java: it registers and joins like a viewer, offers to the
 * peer it is told, and once the channel is open sends REQUESTs for {@code targets}, round and
 * round, as fast as the channel takes them, never acting on an answer (it only counts the DATA
 * payload bytes that arrive). It can offer again later, to see whether it is answered.
 *
 * <p>Threading: everything runs on its own thread ({@code flooder}); the counters and futures are
 * safe to read from the test's.
 */
final class FloodingPeer implements AutoCloseable {

  /** REQUESTs sent per turn before the flooder lets its own callbacks run. */
  private static final int BATCH = 256;

  final CompletableFuture<PeerId> registered = new CompletableFuture<>();
  final CompletableFuture<SignalMessage.Joined> joined = new CompletableFuture<>();
  /** System.nanoTime() when the first link's channel opened, and when it closed. */
  final CompletableFuture<Long> opened = new CompletableFuture<>();
  final CompletableFuture<Long> closed = new CompletableFuture<>();
  final AtomicLong requestsSent = new AtomicLong();
  final AtomicLong dataBytesReceived = new AtomicLong();
  /** Answers relayed to the second offer. */
  final AtomicInteger secondOfferAnswers = new AtomicInteger();

  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "flooder");
    t.setDaemon(true);
    return t;
  });
  private final SignalingTransport transport;
  private final List<SegmentRef> targets;
  private final WireCodec codec = WireCodec.binary();
  private RtcEngine engine;
  private SignalingClient signaling;
  private PeerLink link;
  private int offers;
  private long nextId = 1;

  FloodingPeer(SignalingTransport transport, List<SegmentRef> targets) {
    this.transport = transport;
    this.targets = List.copyOf(targets);
  }

  /** Registers as a viewer and joins {@code stream}: see {@link #registered}, {@link #joined}. */
  void start(String stream) {
    thread.execute(() -> {
      engine = RtcEngine.acquire();
      signaling = new SignalingClient(transport, SignalMessage.Hello.viewer(), thread, new SignalingClient.Handler() {
        @Override
        public void onMessage(SignalMessage m) {
          if (m instanceof SignalMessage.Welcome w) {
            registered.complete(w.peerId());
            signaling.send(new SignalMessage.Join(stream));
          } else if (m instanceof SignalMessage.Joined j) {
            joined.complete(j);
          } else if (m instanceof SignalMessage.Signal s && link != null && s.from().value().equals(link.remoteId())) {
            onSignal(s);
          }
        }

        @Override
        public void onDisconnected(String reason) {}
      }, Duration.ofSeconds(1));
      signaling.connect();
    });
  }

  /** Offers a fresh link to {@code peer}; the first one floods once open. */
  void offerTo(PeerId peer) {
    thread.execute(() -> {
      Listener listener = new Listener(peer, ++offers);
      link = engine.newLink(peer.value(), PeerLink.Role.OFFERER, IceSettings.loopback(), thread, listener);
      listener.own = link;
      link.startOffer();
    });
  }

  private void onSignal(SignalMessage.Signal s) {
    if (s.kind() == SignalMessage.SignalKind.ANSWER) {
      if (offers == 2) {
        secondOfferAnswers.incrementAndGet();
      }
      link.acceptAnswer(s.sdp());
    } else if (s.kind() == SignalMessage.SignalKind.CANDIDATE) {
      link.addRemoteCandidate(s.candidate());
    }
  }

  /** Sends a batch of REQUESTs while the channel takes them, then yields and comes back. */
  private void flood(PeerLink on) {
    if (on != link || !on.isOpen()) {
      return;
    }
    for (int i = 0; i < BATCH && on.writable(); i++) {
      SegmentRef ref = targets.get((int) (nextId % targets.size()));
      on.send(codec.encode(new WireMessage.Request(nextId++, ref)));
      requestsSent.incrementAndGet();
    }
    if (on.writable()) {
      thread.execute(() -> flood(on)); // behind whatever arrived meanwhile
    } // else onWritable resumes it
  }

  @Override
  public void close() throws Exception {
    thread.submit(() -> {
      if (link != null) {
        link.close("test over");
      }
      if (signaling != null) {
        signaling.close();
      }
      if (engine != null) {
        engine.close();
      }
    }).get(10, TimeUnit.SECONDS);
    thread.shutdownNow();
  }

  private final class Listener implements PeerLink.Listener {
    private final PeerId peer;
    private final int number;
    private PeerLink own;

    Listener(PeerId peer, int number) {
      this.peer = peer;
      this.number = number;
    }

    @Override
    public void onLocalDescription(String type, String sdp) {
      signaling.send(SignalMessage.Signal.sdp(peer, SignalMessage.SignalKind.OFFER, sdp));
    }

    @Override
    public void onLocalCandidate(IceCandidate candidate) {
      signaling.send(SignalMessage.Signal.candidate(peer, candidate));
    }

    @Override
    public void onOpen() {
      if (number == 1) {
        opened.complete(System.nanoTime());
        flood(own);
      }
    }

    @Override
    public void onMessage(byte[] message) {
      try {
        if (codec.decode(ByteBuffer.wrap(message)) instanceof WireMessage.Data d) {
          dataBytesReceived.addAndGet(d.payloadLength());
        }
      } catch (P2pCollabException e) {
        // counted as nothing: it reads nothing anyway
      }
    }

    @Override
    public void onWritable() {
      flood(own);
    }

    @Override
    public void onClosed(String reason) {
      if (number == 1) {
        closed.complete(System.nanoTime());
      }
    }
  }
}
