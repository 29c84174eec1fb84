package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.IceCandidate;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.PeerState;
import io.p2pcollab.core.SegmentAssembler;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
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
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java viewer peer: registers as {@code viewer}, joins a stream, offers a data channel to the
 * peers the Coordinator lists, and fetches segments over the wire protocol, checking each against
 * the Media Server's signed statement ({@link SegmentSignature}, docs/protocol.md §6) or, for an
 * unsigned stream, its published SHA-256. It only downloads; it serves nothing. Used by integration
 * tests and benchmarks, and by Java clients that want segments peer to peer.
 *
 * <p>A neighbour that sends a bad segment — a first chunk announcing another length than the
 * signed one, or bytes that do not match — is cut at once, never connected to again during this
 * visit, and reported to the Tracker ({@code report}); the segment is then asked of another
 * neighbour until the fetch's deadline. No byte of a bad answer is ever handed to the caller.
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
  /** Peers cut for bad data: never connected to again during this visit. */
  private final Set<PeerId> blocked = new HashSet<>();

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
   * Fetches {@code ref} of an unsigned stream from a neighbour that announced it (waiting up to
   * {@code timeout} for one), reassembles it and checks it against {@code sha256Hex} (from {@code
   * hashes.json}); a neighbour whose bytes do not match is cut and reported, and another one asked.
   *
   * @return completes with the segment's bytes; exceptionally with {@link FetchException} if no
   *     neighbour delivered it in time, a neighbour answered an ERROR, or the link closed
   */
  public CompletableFuture<byte[]> fetch(SegmentRef ref, String sha256Hex, Duration timeout) {
    Objects.requireNonNull(sha256Hex, "sha256Hex");
    return fetch(new Fetch(ref, -1, bytes -> Hashes.matches(bytes, sha256Hex), new CompletableFuture<>()), timeout);
  }

  /**
   * Fetches {@code ref} of a signed stream from a neighbour that announced it: the first chunk must
   * announce {@code signed.length()} bytes and the whole segment must match {@code signed} (an
   * entry of {@code signatures.json} that {@link io.p2pcollab.core.SegmentVerifier} verified for
   * this very segment). A neighbour that breaks either is cut, reported and never asked again; the
   * segment is then asked of another neighbour until {@code timeout}.
   *
   * @return completes with the verified bytes; exceptionally with {@link FetchException} if no
   *     neighbour delivered them in time
   */
  public CompletableFuture<byte[]> fetch(SegmentRef ref, SegmentSignature signed, Duration timeout) {
    Objects.requireNonNull(signed, "signed");
    return fetch(new Fetch(ref, signed.length(), signed::matches, new CompletableFuture<>()), timeout);
  }

  /** Asks the Tracker for more peers of {@code stream}; they are connected to as they come. */
  public void requestPeers(String stream) {
    enqueue(() -> signaling.send(new SignalMessage.PeersRequest(stream, maxNeighbours)));
  }

  /** The peers cut for sending bad data during this visit. */
  public CompletableFuture<Set<PeerId>> blocked() {
    CompletableFuture<Set<PeerId>> out = new CompletableFuture<>();
    enqueue(() -> out.complete(Set.copyOf(blocked)));
    return out;
  }

  private CompletableFuture<byte[]> fetch(Fetch f, Duration timeout) {
    CompletableFuture<byte[]> result = f.result;
    SegmentRef ref = f.ref;
    enqueue(
        () -> {
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
      if (neighbours.containsKey(entry.id()) || blocked.contains(entry.id()) || started.getNow(null) == null
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
    /** The signed length, or -1 when only a hash is known. */
    final long expectedLength;
    final Predicate<byte[]> genuine;
    final CompletableFuture<byte[]> result;
    ScheduledFuture<?> deadline;
    long requestId;
    Neighbour from;
    SegmentAssembler assembler;

    Fetch(SegmentRef ref, long expectedLength, Predicate<byte[]> genuine, CompletableFuture<byte[]> result) {
      this.ref = ref;
      this.expectedLength = expectedLength;
      this.genuine = genuine;
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
      if (f.assembler.received() == 0 && f.expectedLength >= 0 && d.totalLength() != f.expectedLength) {
        punish(f, "wrong-length", "announced " + d.totalLength() + " bytes, the signed length is " + f.expectedLength);
        return;
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
      byte[] segment = f.assembler.segment();
      if (!f.genuine.test(segment)) {
        punish(f, "bad-segment", "sent " + f.ref + " that does not match what the Media Server published");
        return;
      }
      downloads.remove(d.requestId());
      f.deadline.cancel(false);
      f.result.complete(segment);
    }

    /**
     * This neighbour sent bad data for {@code f}: drop every byte of it, cut and block the peer,
     * report it, and ask another neighbour for the segment.
     */
    private void punish(Fetch f, String reason, String detail) {
      log.info("cut {}: {}", id, detail);
      downloads.remove(f.requestId);
      f.from = null;
      f.assembler = null;
      blocked.add(id);
      signaling.send(new SignalMessage.Report(id, f.ref.stream(), reason));
      link.close(detail);
      waiting.add(f);
      dispatch();
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
