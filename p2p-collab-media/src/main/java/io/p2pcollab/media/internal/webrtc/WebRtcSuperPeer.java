package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.ContributionIngest;
import io.p2pcollab.core.IceCandidate;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.PeerState;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSource;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingTransport;
import io.p2pcollab.core.StreamHolding;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SuperPeer} on webrtc-java.
 *
 * <p>The {@code state} heartbeat goes out every {@link SuperPeerConfig#stateInterval()} and at once
 * when it changes: a peer taken on or dropped, a new segment.
 *
 * <p>Contributions: when the Coordinator grants a peer a stream ({@code contribution} with {@code
 * peer}), the super-peer opens it in the {@link ContributionIngest}, takes that peer's offer even
 * when it serves {@link SuperPeerConfig#maxPeers()} already, stores each segment it pushes (the
 * grant checked again every time) and serves the stream as its first source; revoked or ended, the
 * stream is ended in the ingest and no longer served.
 *
 * <p>Threading: one single-thread scheduled executor ({@code p2p-collab-super-peer}) owns all
 * mutable state: the signaling client, the peer table, the counters. webrtc-java, signaling and
 * {@link SegmentSource} callbacks only enqueue onto it. Public methods are safe from any thread:
 * they enqueue too, or read the volatile snapshot.
 */
public final class WebRtcSuperPeer implements SuperPeer {

  private static final Logger log = LoggerFactory.getLogger(WebRtcSuperPeer.class);
  private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);
  private static final byte PUSH = 0x06;

  private final SuperPeerConfig config;
  private final SegmentSource source;
  private final ContributionIngest ingest;
  private final SignalingTransport transport;
  private final ScheduledExecutorService executor;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final CompletableFuture<PeerId> started = new CompletableFuture<>();
  private final Map<PeerId, ServedPeer> peers = new HashMap<>();
  private final ServingCounters counters = new ServingCounters();
  private final WireCodec codec = WireCodec.binary();
  /** The configured streams and the contributed ones being ingested: what peers are served. */
  private final Set<String> served = new LinkedHashSet<>();
  /** Contributor → its contribution being ingested. */
  private final Map<PeerId, ContributionIngest.Contribution> uploads = new HashMap<>();

  private volatile Stats stats = new Stats(0, 0, 0, 0, 0);
  private RtcEngine engine;
  private SignalingClient signaling;
  private AutoCloseable segmentListener;
  private ScheduledFuture<?> stateTimer;
  private IceSettings ice;
  private long offersRefused;

  /**
   * @param ingest where contributed segments go, or null to accept no contributions
   */
  public WebRtcSuperPeer(
      SuperPeerConfig config, SegmentSource source, ContributionIngest ingest, SignalingTransport transport) {
    this.config = Objects.requireNonNull(config, "config");
    this.source = Objects.requireNonNull(source, "source");
    this.ingest = ingest;
    this.served.addAll(config.streams());
    this.transport = Objects.requireNonNull(transport, "transport");
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "p2p-collab-super-peer");
              t.setDaemon(true);
              return t;
            });
    this.ice = new IceSettings(List.of(), config.allowLoopback());
  }

  @Override
  public CompletableFuture<PeerId> start() {
    if (!state.compareAndSet(State.NEW, State.STARTED)) {
      throw new IllegalStateException("start() on a " + state.get() + " super-peer");
    }
    executor.execute(this::doStart);
    return started.copy();
  }

  @Override
  public State state() {
    return state.get();
  }

  @Override
  public Stats stats() {
    return stats;
  }

  @Override
  public void close() {
    State previous = state.getAndSet(State.CLOSED);
    if (previous == State.CLOSED) {
      return;
    }
    started.completeExceptionally(new IllegalStateException("super-peer closed"));
    try {
      executor.submit(this::doClose).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("super-peer did not close cleanly", e);
    } finally {
      executor.shutdownNow();
    }
  }

  private void doStart() {
    engine = RtcEngine.acquire();
    segmentListener = source.onSegment(ref -> enqueue(() -> segmentAdded(ref)));
    signaling =
        new SignalingClient(
            transport,
            new SignalMessage.Hello(SignalMessage.Role.SUPER_PEER, config.token()),
            executor,
            new SignalingClient.Handler() {
              @Override
              public void onMessage(SignalMessage message) {
                onSignal(message);
              }

              @Override
              public void onDisconnected(String reason) {
                if (!started.isDone()) {
                  log.warn("super-peer cannot reach the Coordinator yet: {}", reason);
                }
              }
            },
            RECONNECT_DELAY);
    signaling.connect();
    stateTimer =
        executor.scheduleAtFixedRate(
            this::sendState,
            config.stateInterval().toMillis(),
            config.stateInterval().toMillis(),
            TimeUnit.MILLISECONDS);
  }

  private void doClose() {
    if (stateTimer != null) {
      stateTimer.cancel(false);
    }
    if (segmentListener != null) {
      try {
        segmentListener.close();
      } catch (Exception e) {
        log.warn("segment listener did not close", e);
      }
    }
    for (ServedPeer p : new ArrayList<>(peers.values())) {
      p.link.close("super-peer closed");
    }
    peers.clear();
    uploads.values().forEach(ContributionIngest.Contribution::end);
    uploads.clear();
    if (signaling != null) {
      signaling.close();
    }
    if (engine != null) {
      engine.close();
    }
    publishStats();
  }

  private void onSignal(SignalMessage message) {
    if (state.get() != State.STARTED) {
      return;
    }
    if (message instanceof SignalMessage.Welcome w) {
      ice = new IceSettings(w.iceServers(), config.allowLoopback());
      log.info("super-peer registered as {}", w.peerId());
      started.complete(w.peerId());
      sendState();
    } else if (message instanceof SignalMessage.Signal s && s.from() != null) {
      onPeerSignal(s);
    } else if (message instanceof SignalMessage.PeerLeft left) {
      ServedPeer p = peers.get(left.peerId());
      if (p != null) {
        p.link.close("peer left");
      }
    } else if (message instanceof SignalMessage.Contribution c && c.peer() != null) {
      contributionChanged(c);
    } else if (message instanceof SignalMessage.Error e) {
      log.warn("Coordinator refused {}: {} {}", e.ref(), e.code(), e.message());
      if (!started.isDone() && "hello".equals(e.ref())) {
        started.completeExceptionally(
            new IllegalStateException("registration refused: " + e.code() + " " + e.message()));
      }
    }
  }

  private void onPeerSignal(SignalMessage.Signal s) {
    PeerId from = s.from();
    switch (s.kind()) {
      case OFFER -> acceptOffer(from, s.sdp());
      case CANDIDATE -> {
        ServedPeer p = peers.get(from);
        if (p != null) {
          p.link.addRemoteCandidate(s.candidate());
        }
      }
      case ANSWER -> log.debug("ignored an answer from {}: the super-peer never offers", from);
    }
  }

  private void contributionChanged(SignalMessage.Contribution c) {
    PeerId peer = c.peer();
    if (c.status() == SignalMessage.ContributionStatus.GRANTED) {
      if (ingest == null) {
        log.warn("granted contribution {} of {} ignored: this super-peer ingests nothing", c.stream(), peer);
        return;
      }
      ContributionIngest.Contribution current = uploads.get(peer);
      if (current != null && current.stream().equals(c.stream())) {
        return;
      }
      if (current != null) {
        endUpload(peer);
      }
      try {
        uploads.put(peer, ingest.open(c.stream(), peer));
        served.add(c.stream());
      } catch (P2pCollabException e) {
        log.warn("cannot ingest {} from {}: {}", c.stream(), peer, e.getMessage());
      }
    } else if (c.status() == SignalMessage.ContributionStatus.REVOKED || c.status() == SignalMessage.ContributionStatus.ENDED) {
      ContributionIngest.Contribution current = uploads.get(peer);
      if (current != null && current.stream().equals(c.stream())) {
        endUpload(peer);
      }
    }
  }

  private void endUpload(PeerId peer) {
    ContributionIngest.Contribution c = uploads.remove(peer);
    if (c != null) {
      served.remove(c.stream());
      c.end();
      sendState();
    }
  }

  private void acceptOffer(PeerId from, String sdp) {
    ServedPeer existing = peers.get(from);
    if (existing != null) {
      // a fresh offer from a peer we serve: it restarted its side, so start over
      existing.link.close("peer offered again");
    }
    if (peers.size() >= config.maxPeers() && !uploads.containsKey(from)) {
      // No refusal message exists in the protocol; the offerer times out and tries elsewhere,
      // and the Tracker stops listing a super-peer whose state shows no upload slots.
      offersRefused++;
      publishStats();
      log.debug("refused an offer from {}: already serving {} peers", from, peers.size());
      return;
    }
    ServedPeer p = new ServedPeer(from);
    p.link = engine.newLink(from.value(), PeerLink.Role.ANSWERER, ice, executor, p);
    peers.put(from, p);
    p.connectTimer =
        executor.schedule(
            () -> {
              if (!p.link.isOpen()) {
                p.link.close("data channel not open after " + config.connectTimeout());
              }
            },
            config.connectTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
    p.link.acceptOffer(sdp);
    publishStats();
    sendState(); // one upload slot fewer
  }

  private void segmentAdded(SegmentRef ref) {
    if (state.get() != State.STARTED || !served.contains(ref.stream())) {
      return;
    }
    sendState();
    for (ServedPeer p : peers.values()) {
      if (p.link.isOpen()) {
        p.server.announce(ref.stream());
      }
    }
  }

  private void sendState() {
    if (signaling == null || !started.isDone()) {
      return;
    }
    List<StreamHolding> holdings = new ArrayList<>();
    for (String stream : served) {
      List<SegmentRef> window = source.window(stream);
      // The Coordinator knows a contributed stream once its first media segment is published.
      if (config.streams().contains(stream) || window.stream().anyMatch(r -> !r.isInit())) {
        holdings.add(WindowSummary.of(stream, window));
      }
    }
    int slots = Math.max(0, config.maxPeers() - peers.size());
    signaling.send(new SignalMessage.State(new PeerState(holdings, slots)));
  }

  private void publishStats() {
    int open = 0;
    for (ServedPeer p : peers.values()) {
      if (p.link.isOpen()) {
        open++;
      }
    }
    stats =
        new Stats(
            open,
            counters.bytesServed,
            counters.segmentsServed,
            counters.requestsRefused,
            offersRefused);
  }

  private void enqueue(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  /** One peer served: its link and the wire-protocol server on it. On the executor. */
  private final class ServedPeer implements PeerLink.Listener {
    final PeerId id;
    PeerLink link;
    SegmentServer server;
    UploadReceiver receiver;
    ScheduledFuture<?> connectTimer;

    ServedPeer(PeerId id) {
      this.id = id;
    }

    @Override
    public void onLocalDescription(String type, String sdp) {
      signaling.send(SignalMessage.Signal.sdp(id, SignalMessage.SignalKind.ANSWER, sdp));
    }

    @Override
    public void onLocalCandidate(IceCandidate candidate) {
      signaling.send(SignalMessage.Signal.candidate(id, candidate));
    }

    @Override
    public void onOpen() {
      connectTimer.cancel(false);
      server = new SegmentServer(link, source, served, config.maxRequestsPerPeer(), counters);
      receiver = new UploadReceiver(link, () -> uploads.get(id));
      server.announceAll();
      publishStats();
      log.debug("serving {}", id);
    }

    @Override
    public void onMessage(byte[] message) {
      if (message.length > 0 && message[0] == PUSH) {
        WireMessage m;
        try {
          m = codec.decode(ByteBuffer.wrap(message));
        } catch (P2pCollabException e) {
          server.onMessage(message); // answers the malformed message like any other
          return;
        }
        receiver.onPush((WireMessage.Push) m);
        return;
      }
      server.onMessage(message);
      publishStats();
    }

    @Override
    public void onWritable() {
      server.pump();
      publishStats();
    }

    @Override
    public void onClosed(String reason) {
      if (connectTimer != null) {
        connectTimer.cancel(false);
      }
      if (peers.get(id) == this) {
        peers.remove(id);
        sendState(); // a slot is free again
      }
      log.debug("stopped serving {}: {}", id, reason);
      publishStats();
    }
  }
}
