package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.IceCandidate;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.PeerState;
import io.p2pcollab.core.SegmentAssembler;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingTransport;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java viewer peer: registers as {@code viewer}, joins a stream, offers a data channel to the
 * peers the Coordinator lists, and fetches segments over the wire protocol, checking each against
 * its SHA-256. It only downloads; it serves nothing. Used by integration tests and benchmarks,
 * and by Java clients that want segments peer to peer.
 *
 * <p>Lifecycle: {@link #start()}, then {@link #join}, then any number of {@link #fetch}es, then
 * {@link #close()}.
 *
 * <p>Threading: public methods are safe from any thread and return immediately; everything runs on
 * one serial executor ({@code p2p-collab-viewer}), onto which webrtc-java and signaling callbacks
 * only enqueue.
 */
public final class WebRtcViewer implements AutoCloseable {

  /** Largest segment accepted from a peer (32 MiB): a bigger {@code totalLength} is refused. */
  public static final int MAX_SEGMENT_BYTES = SegmentAssembler.DEFAULT_MAX_SEGMENT_BYTES;

  private static final Logger log = LoggerFactory.getLogger(WebRtcViewer.class);
  private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);

  private final SignalingTransport transport;
  private final boolean allowLoopback;
  private final int maxNeighbours;
  private final ScheduledExecutorService executor;
  private final CompletableFuture<PeerId> started = new CompletableFuture<>();
  private final Map<String, CompletableFuture<SignalMessage.Joined>> joins = new HashMap<>();
  private final Map<PeerId, Neighbour> neighbours = new LinkedHashMap<>();
  private final List<Fetch> waiting = new ArrayList<>();
  private final WireCodec codec = WireCodec.binary();

  private RtcEngine engine;
  private SignalingClient signaling;
  private IceSettings ice;
  private long nextRequestId = 1;
  private boolean closed;

  /**
   * @param maxNeighbours how many of the listed peers to connect to
   */
  public WebRtcViewer(SignalingTransport transport, boolean allowLoopback, int maxNeighbours) {
    this.transport = Objects.requireNonNull(transport, "transport");
    if (maxNeighbours < 1) {
      throw new IllegalArgumentException("maxNeighbours must be >= 1");
    }
    this.allowLoopback = allowLoopback;
    this.maxNeighbours = maxNeighbours;
    this.ice = new IceSettings(List.of(), allowLoopback);
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "p2p-collab-viewer");
              t.setDaemon(true);
              return t;
            });
  }

  /** Registers; completes with this viewer's peer ID. */
  public CompletableFuture<PeerId> start() {
    executor.execute(
        () -> {
          if (engine != null || closed) {
            started.completeExceptionally(new IllegalStateException("started twice or closed"));
            return;
          }
          engine = RtcEngine.acquire();
          signaling =
              new SignalingClient(
                  transport,
                  SignalMessage.Hello.viewer(),
                  executor,
                  new SignalingClient.Handler() {
                    @Override
                    public void onMessage(SignalMessage message) {
                      onSignal(message);
                    }

                    @Override
                    public void onDisconnected(String reason) {
                      log.debug("viewer signaling dropped: {}", reason);
                    }
                  },
                  RECONNECT_DELAY);
          signaling.connect();
          executor.scheduleAtFixedRate(
              this::heartbeat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        });
    return started.copy();
  }

  /**
   * Joins {@code stream}: completes with the Coordinator's {@code joined} answer; the viewer then
   * offers to up to {@code maxNeighbours} of the listed peers.
   */
  public CompletableFuture<SignalMessage.Joined> join(String stream) {
    CompletableFuture<SignalMessage.Joined> joined = new CompletableFuture<>();
    enqueue(
        () -> {
          joins.put(stream, joined);
          if (!signaling.send(new SignalMessage.Join(stream))) {
            joined.completeExceptionally(new IllegalStateException("signaling not connected"));
          }
        });
    return joined.copy();
  }

  /**
   * Fetches {@code ref} from a neighbour that announced it (waiting up to {@code timeout} for one),
   * reassembles it and checks it against {@code sha256Hex}.
   *
   * @return completes with the segment's bytes; exceptionally with {@link FetchException} if no
   *     neighbour had it in time, a neighbour answered an ERROR, the link closed, or the hash did
   *     not match (then that neighbour is disconnected)
   */
  public CompletableFuture<byte[]> fetch(SegmentRef ref, String sha256Hex, Duration timeout) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    enqueue(
        () -> {
          Fetch f = new Fetch(ref, sha256Hex, result);
          f.deadline =
              executor.schedule(
                  () -> fail(f, "no neighbour delivered " + ref + " within " + timeout),
                  timeout.toMillis(),
                  TimeUnit.MILLISECONDS);
          waiting.add(f);
          dispatch();
        });
    return result.copy();
  }

  /** Neighbours whose data channel is open now. */
  public CompletableFuture<Integer> openNeighbours() {
    CompletableFuture<Integer> n = new CompletableFuture<>();
    enqueue(() -> n.complete((int) neighbours.values().stream().filter(x -> x.link.isOpen()).count()));
    return n;
  }

  /** What {@code peer} announced for {@code stream}, once its channel is open. */
  public CompletableFuture<Set<SegmentRef>> announced(PeerId peer, String stream) {
    CompletableFuture<Set<SegmentRef>> out = new CompletableFuture<>();
    enqueue(
        () -> {
          Neighbour n = neighbours.get(peer);
          out.complete(n == null ? Set.of() : Set.copyOf(n.have.getOrDefault(stream, Set.of())));
        });
    return out;
  }

  /** Leaves, closes every link. Idempotent; waits up to 10 s for the executor. */
  @Override
  public void close() {
    try {
      executor
          .submit(
              () -> {
                if (closed) {
                  return;
                }
                closed = true;
                for (Neighbour n : new ArrayList<>(neighbours.values())) {
                  n.link.close("viewer closed");
                }
                for (Fetch f : new ArrayList<>(waiting)) {
                  fail(f, "viewer closed");
                }
                if (signaling != null) {
                  signaling.close();
                }
                if (engine != null) {
                  engine.close();
                }
                started.completeExceptionally(new IllegalStateException("viewer closed"));
              })
          .get(10, TimeUnit.SECONDS);
    } catch (RejectedExecutionException e) {
      return; // already shut down
    } catch (Exception e) {
      log.warn("viewer did not close cleanly", e);
    } finally {
      executor.shutdownNow();
    }
  }

  private void onSignal(SignalMessage message) {
    if (closed) {
      return;
    }
    if (message instanceof SignalMessage.Welcome w) {
      ice = new IceSettings(w.iceServers(), allowLoopback);
      started.complete(w.peerId());
    } else if (message instanceof SignalMessage.Joined j) {
      CompletableFuture<SignalMessage.Joined> f = joins.remove(j.stream().id());
      connectTo(j.peers());
      if (f != null) {
        f.complete(j);
      }
    } else if (message instanceof SignalMessage.Peers p) {
      connectTo(p.peers());
    } else if (message instanceof SignalMessage.Signal s && s.from() != null) {
      Neighbour n = neighbours.get(s.from());
      if (n == null) {
        log.debug("ignored a {} from {}: a viewer only talks to peers it offered to", s.kind(), s.from());
        return;
      }
      switch (s.kind()) {
        case ANSWER -> n.link.acceptAnswer(s.sdp());
        case CANDIDATE -> n.link.addRemoteCandidate(s.candidate());
        case OFFER -> log.debug("ignored an offer from {}", s.from());
      }
    } else if (message instanceof SignalMessage.PeerLeft left) {
      Neighbour n = neighbours.get(left.peerId());
      if (n != null) {
        n.link.close("peer left");
      }
    } else if (message instanceof SignalMessage.Error e) {
      log.warn("Coordinator refused {}: {} {}", e.ref(), e.code(), e.message());
      if ("join".equals(e.ref())) {
        for (CompletableFuture<SignalMessage.Joined> f : joins.values()) {
          f.completeExceptionally(new IllegalStateException(e.code() + " " + e.message()));
        }
        joins.clear();
      }
    }
  }

  private void connectTo(List<PeerEntry> peers) {
    for (PeerEntry entry : peers) {
      if (neighbours.size() >= maxNeighbours) {
        return;
      }
      if (neighbours.containsKey(entry.id()) || started.getNow(null) == null
          || entry.id().equals(started.getNow(null))) {
        continue;
      }
      Neighbour n = new Neighbour(entry.id());
      n.link = engine.newLink(entry.id().value(), PeerLink.Role.OFFERER, ice, executor, n);
      neighbours.put(entry.id(), n);
      n.link.startOffer();
    }
  }

  private void heartbeat() {
    if (signaling != null && started.isDone() && !closed) {
      signaling.send(new SignalMessage.State(new PeerState(List.of(), 0)));
    }
  }

  /** Sends every waiting fetch to an open neighbour that announced its segment. */
  private void dispatch() {
    Iterator<Fetch> it = waiting.iterator();
    while (it.hasNext()) {
      Fetch f = it.next();
      for (Neighbour n : neighbours.values()) {
        if (n.link.isOpen() && n.have.getOrDefault(f.ref.stream(), Set.of()).contains(f.ref)) {
          it.remove();
          long id = nextRequestId;
          nextRequestId = nextRequestId == 0xFFFFFFFFL ? 1 : nextRequestId + 1;
          f.requestId = id;
          f.from = n;
          f.assembler = new SegmentAssembler(id, MAX_SEGMENT_BYTES);
          n.downloads.put(id, f);
          n.link.send(codec.encode(new WireMessage.Request(id, f.ref)));
          break;
        }
      }
    }
  }

  private void fail(Fetch f, String why) {
    waiting.remove(f);
    if (f.from != null && f.from.downloads.remove(f.requestId) != null && f.from.link.isOpen()) {
      f.from.link.send(codec.encode(new WireMessage.Cancel(f.requestId)));
    }
    f.deadline.cancel(false);
    f.result.completeExceptionally(new FetchException(why));
  }

  private void enqueue(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("viewer closed", e);
    }
  }

  /** Why a {@link #fetch} failed. */
  public static final class FetchException extends RuntimeException {
    FetchException(String message) {
      super(message);
    }
  }

  private static final class Fetch {
    final SegmentRef ref;
    final String sha256Hex;
    final CompletableFuture<byte[]> result;
    ScheduledFuture<?> deadline;
    long requestId;
    Neighbour from;
    SegmentAssembler assembler;

    Fetch(SegmentRef ref, String sha256Hex, CompletableFuture<byte[]> result) {
      this.ref = ref;
      this.sha256Hex = sha256Hex;
      this.result = result;
    }
  }

  private final class Neighbour implements PeerLink.Listener {
    final PeerId id;
    final Map<String, Set<SegmentRef>> have = new HashMap<>();
    final Map<Long, Fetch> downloads = new HashMap<>();
    PeerLink link;

    Neighbour(PeerId id) {
      this.id = id;
    }

    @Override
    public void onLocalDescription(String type, String sdp) {
      signaling.send(SignalMessage.Signal.sdp(id, SignalMessage.SignalKind.OFFER, sdp));
    }

    @Override
    public void onLocalCandidate(IceCandidate candidate) {
      signaling.send(SignalMessage.Signal.candidate(id, candidate));
    }

    @Override
    public void onOpen() {
      log.debug("viewer connected to {}", id);
    }

    @Override
    public void onMessage(byte[] bytes) {
      WireMessage message;
      try {
        message = codec.decode(ByteBuffer.wrap(bytes));
      } catch (P2pCollabException e) {
        link.send(codec.encode(WireMessage.Error.of(e)));
        return;
      }
      if (message instanceof WireMessage.Have h) {
        have.put(h.stream(), new HashSet<>(h.refs()));
        dispatch();
      } else if (message instanceof WireMessage.Data d) {
        onData(d);
      } else if (message instanceof WireMessage.Error e) {
        Fetch f = downloads.get(e.requestId());
        if (f != null) {
          fail(f, id + " answered error " + e.code() + ": " + e.message());
        }
      }
    }

    private void onData(WireMessage.Data d) {
      Fetch f = downloads.get(d.requestId());
      if (f == null) {
        return; // cancelled or failed meanwhile
      }
      boolean complete;
      try {
        complete = f.assembler.accept(d);
      } catch (P2pCollabException e) {
        fail(f, id + " broke the protocol: " + e.getMessage());
        link.close("bad DATA: " + e.getMessage());
        return;
      }
      if (!complete) {
        return;
      }
      downloads.remove(d.requestId());
      f.deadline.cancel(false);
      byte[] segment = f.assembler.segment();
      if (f.sha256Hex != null && !Hashes.matches(segment, f.sha256Hex)) {
        f.result.completeExceptionally(
            new FetchException(id + " sent " + f.ref + " with a wrong SHA-256"));
        link.close("sent a segment with a wrong hash");
        return;
      }
      f.result.complete(segment);
    }

    @Override
    public void onClosed(String reason) {
      neighbours.remove(id);
      for (Fetch f : new ArrayList<>(downloads.values())) {
        fail(f, "link to " + id + " closed: " + reason);
      }
    }
  }
}
