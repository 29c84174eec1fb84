package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.ContributionIngest;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.PeerState;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSource;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingTransport;
import io.p2pcollab.core.StreamHolding;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
 * stream is ended in the ingest and no longer served. A contributor that pushes over {@link
 * SuperPeerConfig#contributionCaps()} is cut ({@link Uploads}): its push refused, its stream ended,
 * and the Coordinator told ({@code contribution revoked}, reason {@code too-fast}).
 *
 * <p>Neighbour slots ({@link ServedPeers}): the super-peer only answers offers the Coordinator
 * relays, up to {@link SuperPeerConfig#maxPeers()} inbound links (it never offers, so it has no
 * outbound ones); a link that carries no REQUEST (nor a contributor's PUSH) within {@link
 * SuperPeerConfig#firstRequestTimeout()} of opening is closed, freeing its slot.
 *
 * <p>Serving budget (docs/protocol.md §2.5): each neighbour is served within {@link
 * SuperPeerConfig#servingBudget()}; REQUESTs over it get BUSY with no work. A neighbour that keeps
 * asking anyway is cut and reported {@code flooding}; one whose channel stays paused with no
 * progress for {@link SuperPeerConfig#drainTimeout()} is cut and reported {@code not-draining}.
 * Either way its link is closed, the Coordinator gets a {@code report}, and its later offers are
 * not answered while its peer ID lives.
 *
 * <p>Threading: one single-thread scheduled executor ({@code p2p-collab-super-peer}) owns all
 * mutable state: the signaling client, the peer table, the counters. webrtc-java, signaling and
 * {@link SegmentSource} callbacks only enqueue onto it. Public methods are safe from any thread:
 * they enqueue too, or read the volatile snapshot.
 */
public final class WebRtcSuperPeer implements SuperPeer {

  private static final Logger log = LoggerFactory.getLogger(WebRtcSuperPeer.class);
  private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);
  /**
   * How often idle and undrained links are looked for: a link is closed, or a neighbour cut, within
   * this much after its deadline.
   */
  private static final Duration IDLE_SWEEP = Duration.ofMillis(250);

  private final SuperPeerConfig config;
  private final SegmentSource source;
  private final SignalingTransport transport;
  private final ScheduledExecutorService executor;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final CompletableFuture<PeerId> started = new CompletableFuture<>();
  /** The configured streams and the contributed ones being ingested: what peers are served. */
  private final Set<String> served = new LinkedHashSet<>();
  private final Uploads uploads;
  private final ServedPeers peers;

  private volatile Stats stats = new Stats(0, 0, 0, 0, 0, 0);
  private RtcEngine engine;
  private SignalingClient signaling;
  private AutoCloseable segmentListener;
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  private IceSettings ice;

  /**
   * @param ingest where contributed segments go, or null to accept no contributions
   */
  public WebRtcSuperPeer(
      SuperPeerConfig config, SegmentSource source, ContributionIngest ingest, SignalingTransport transport) {
    this.config = Objects.requireNonNull(config, "config");
    this.source = Objects.requireNonNull(source, "source");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.served.addAll(config.streams());
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "p2p-collab-super-peer");
              t.setDaemon(true);
              return t;
            });
    this.ice = new IceSettings(List.of(), config.allowLoopback());
    Clock clock = Clock.systemUTC();
    this.uploads = new Uploads(ingest, config.contributionCaps(), clock, this::signal, new Uploads.Listener() {
      @Override
      public void started(String stream) {
        served.add(stream);
      }

      @Override
      public void ended(String stream) {
        served.remove(stream);
        peers.withdraw(stream);
        sendState();
      }
    });
    this.peers = new ServedPeers(config, source, served, uploads, Timers.on(executor), clock, new ServedPeers.Owner() {
      @Override
      public void signal(SignalMessage message) {
        WebRtcSuperPeer.this.signal(message);
      }

      @Override
      public void slotsChanged() {
        sendState();
      }

      @Override
      public void statsChanged() {
        publishStats();
      }
    });
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
    long stateMs = config.stateInterval().toMillis();
    timers.add(executor.scheduleAtFixedRate(this::sendState, stateMs, stateMs, TimeUnit.MILLISECONDS));
    long sweepMs = IDLE_SWEEP.toMillis();
    timers.add(executor.scheduleWithFixedDelay(peers::sweep, sweepMs, sweepMs, TimeUnit.MILLISECONDS));
  }

  private void doClose() {
    timers.forEach(t -> t.cancel(false));
    if (segmentListener != null) {
      try {
        segmentListener.close();
      } catch (Exception e) {
        log.warn("segment listener did not close", e);
      }
    }
    peers.closeAll("super-peer closed");
    uploads.endAll();
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
      // Only the Coordinator speaks here: every offer was relayed by it, from a peer it handed us.
      switch (s.kind()) {
        case OFFER -> peers.offer(s.from(), s.sdp(), Links.webrtc(engine, ice, executor));
        case CANDIDATE -> peers.candidate(s.from(), s.candidate());
        case ANSWER -> log.debug("ignored an answer from {}: the super-peer never offers", s.from());
      }
    } else if (message instanceof SignalMessage.PeerLeft left) {
      peers.left(left.peerId());
    } else if (message instanceof SignalMessage.Contribution c && c.peer() != null) {
      uploads.onContribution(c);
    } else if (message instanceof SignalMessage.Error e) {
      log.warn("Coordinator refused {}: {} {}", e.ref(), e.code(), e.message());
      if (!started.isDone() && "hello".equals(e.ref())) {
        started.completeExceptionally(
            new IllegalStateException("registration refused: " + e.code() + " " + e.message()));
      }
    }
  }

  private void segmentAdded(SegmentRef ref) {
    if (state.get() != State.STARTED || !served.contains(ref.stream())) {
      return;
    }
    sendState();
    peers.announce(ref.stream());
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
    signaling.send(new SignalMessage.State(new PeerState(holdings, peers.freeSlots())));
  }

  private void signal(SignalMessage message) {
    if (signaling != null) {
      signaling.send(message);
    }
  }

  private void publishStats() {
    ServingCounters c = peers.counters();
    stats = new Stats(peers.open(), c.bytesServed, c.segmentsServed, c.requestsRefused, peers.offersRefused(),
        peers.peersCut());
  }

  private void enqueue(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }
}
