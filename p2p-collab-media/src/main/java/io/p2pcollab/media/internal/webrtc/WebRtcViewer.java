package io.p2pcollab.media.internal.webrtc;

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
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Expected;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * what the Media Server published: for a signed stream ({@link StreamInfo#isSigned()}) its signed
 * statement ({@link SegmentSignature}, docs/protocol.md §6), for an unsigned one its SHA-256 in
 * {@code hashes.json}. It only downloads; it serves nothing. Used by integration tests and
 * benchmarks, and by Java clients that want segments peer to peer.
 *
 * <p>{@link #load} works like the browser's Content Loader: it reads the stream's {@code
 * signatures.json} (or {@code hashes.json}) from the origin and keeps the entries that verify,
 * asks a peer for a segment only if it holds a verified entry for it, and falls back to HTTP when
 * no neighbour can deliver. {@link #fetch} asks neighbours only, with a statement the caller holds.
 *
 * <p>A neighbour that sends a bad answer — a first chunk announcing another length than the
 * signed one, bytes that do not match, or chunks that break the wire protocol — is cut at once,
 * never connected to again during this visit, and reported to the Tracker ({@code report}); the
 * segment is then asked of another neighbour (or, with {@link #load}, over HTTP). A neighbour that
 * refuses (ERROR) or goes away is simply not asked again for that segment. No byte that does not
 * match the statement is ever handed to the caller.
 *
 * <p>Lifecycle: {@link #start()}, then {@link #join}, then any number of {@link #load}s and {@link
 * #fetch}es, then {@link #close()}.
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
  private final URI origin;
  private final HttpClient http;
  private final boolean allowLoopback;
  private final int maxNeighbours;
  private final ScheduledExecutorService executor;
  private final CompletableFuture<PeerId> started = new CompletableFuture<>();
  private final Map<String, CompletableFuture<SignalMessage.Joined>> joins = new HashMap<>();
  private final Map<PeerId, Neighbour> neighbours = new LinkedHashMap<>();
  private final List<Fetch> waiting = new ArrayList<>();
  /** Every fetch under way, wherever it is: failed on close. */
  private final Set<Fetch> live = new HashSet<>();
  private final WireCodec codec = WireCodec.binary();
  /** What the Media Server published, per stream the Coordinator told us of. */
  private final Map<String, SegmentStatements> streams = new HashMap<>();

  private RtcEngine engine;
  private SignalingClient signaling;
  private IceSettings ice;
  private long nextRequestId = 1;
  private boolean closed;
  /** Peers cut for bad data, with the reason reported: never connected to again during this visit. */
  private final Map<PeerId, String> blocked = new LinkedHashMap<>();

  /**
   * A viewer that fetches from peers only ({@link #fetch}); {@link #load} needs an origin.
   *
   * @param maxNeighbours how many of the listed peers to connect to
   */
  public WebRtcViewer(SignalingTransport transport, boolean allowLoopback, int maxNeighbours) {
    this(transport, null, allowLoopback, maxNeighbours);
  }

  /**
   * @param origin the Web/Media Server the stream URLs of {@code joined} are relative to (e.g.
   *     {@code http://127.0.0.1:8080/}), for {@link #load}; null for none
   * @param maxNeighbours how many of the listed peers to connect to
   */
  public WebRtcViewer(SignalingTransport transport, URI origin, boolean allowLoopback, int maxNeighbours) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.origin = origin;
    this.http = origin == null ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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
   * Loads {@code ref} of a joined stream as the browser's Content Loader does: finds its statement
   * in the stream's {@code signatures.json} (signed stream) or {@code hashes.json} (unsigned),
   * fetched from the origin when it is not known yet; asks the neighbours that announced it, one
   * after another, and then the origin over HTTP. Whatever the source, the bytes must match the
   * statement.
   *
   * @return completes with the bytes and where they came from; exceptionally with {@link
   *     FetchException} if the stream was not joined, has no statement for {@code ref}, or nobody
   *     delivered matching bytes within {@code timeout}
   * @throws IllegalStateException if this viewer has no origin
   */
  public CompletableFuture<Loaded> load(SegmentRef ref, Duration timeout) {
    if (origin == null) {
      throw new IllegalStateException("load needs an origin; this viewer fetches from peers only");
    }
    Fetch f = new Fetch(ref, true);
    enqueue(
        () -> {
          SegmentStatements st = streams.get(ref.stream());
          if (st == null) {
            reject(f, "stream " + ref.stream() + " was not joined");
            return;
          }
          arm(f, timeout);
          Optional<Expected> known = st.expected(ref);
          if (known.isPresent()) {
            begin(f, known.get());
            return;
          }
          st.refresh(http, origin, executor, () -> {
            if (f.result.isDone()) {
              return;
            }
            Optional<Expected> e = st.expected(ref);
            if (e.isPresent()) {
              begin(f, e.get());
            } else {
              fail(f, "the Media Server published no " + (st.info().isSigned() ? "verified signature" : "hash") + " for " + ref);
            }
          });
        });
    return f.result.copy();
  }

  /**
   * Fetches {@code ref} of an <em>unsigned</em> stream from neighbours only (waiting up to {@code
   * timeout} for one that announced it), and checks it against {@code sha256Hex} (from {@code
   * hashes.json}); a neighbour whose bytes do not match is cut and reported, and another asked.
   *
   * @return completes with the segment's bytes; exceptionally with {@link FetchException} if no
   *     neighbour delivered it in time, or the stream is signed (a hash alone is not enough there)
   */
  public CompletableFuture<byte[]> fetch(SegmentRef ref, String sha256Hex, Duration timeout) {
    Expected expected = new Expected(-1, Objects.requireNonNull(sha256Hex, "sha256Hex"));
    Fetch f = new Fetch(ref, false);
    enqueue(
        () -> {
          SegmentStatements st = streams.get(ref.stream());
          if (st != null && st.info().isSigned()) {
            reject(f, ref.stream() + " is signed: fetch its segments with their signed entries");
            return;
          }
          arm(f, timeout);
          begin(f, expected);
        });
    return f.result.thenApply(Loaded::bytes);
  }

  /**
   * Fetches {@code ref} of a joined signed stream from neighbours only: {@code signed} must be an
   * entry of its {@code signatures.json} that verifies under the stream's key (checked again
   * here), the first chunk must announce {@code signed.length()} bytes and the whole segment must
   * match. A neighbour that breaks either is cut, reported and never asked again; the segment is
   * then asked of another neighbour until {@code timeout}.
   *
   * @return completes with the verified bytes; exceptionally with {@link FetchException} if the
   *     stream was not joined or is unsigned, the entry does not verify, or no neighbour delivered
   *     in time
   */
  public CompletableFuture<byte[]> fetch(SegmentRef ref, SegmentSignature signed, Duration timeout) {
    Objects.requireNonNull(signed, "signed");
    Fetch f = new Fetch(ref, false);
    enqueue(
        () -> {
          SegmentStatements st = streams.get(ref.stream());
          if (st == null || st.verifier().isEmpty()) {
            reject(f, ref.stream() + " is not a joined signed stream");
          } else if (!st.verifier().get().verify(ref, signed)) {
            reject(f, "the entry given for " + ref + " does not verify under the stream's key");
          } else {
            arm(f, timeout);
            begin(f, Expected.of(signed));
          }
        });
    return f.result.thenApply(Loaded::bytes);
  }

  /** Asks the Tracker for more peers of {@code stream}; they are connected to as they come. */
  public void requestPeers(String stream) {
    enqueue(() -> signaling.send(new SignalMessage.PeersRequest(stream, maxNeighbours)));
  }

  /**
   * The peers cut for sending bad data during this visit, in order, each with the reason it was
   * reported for ({@code bad-segment}, {@code wrong-length} or {@code protocol-violation}).
   */
  public CompletableFuture<Map<PeerId, String>> blocked() {
    CompletableFuture<Map<PeerId, String>> out = new CompletableFuture<>();
    enqueue(() -> out.complete(Collections.unmodifiableMap(new LinkedHashMap<>(blocked))));
    return out;
  }

  /** Starts {@code f}'s deadline. */
  private void arm(Fetch f, Duration timeout) {
    live.add(f);
    f.deadline =
        executor.schedule(
            () -> fail(f, "nobody delivered " + f.ref + " within " + timeout),
            timeout.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  /** {@code f} knows what to expect now: off to the neighbours (and the origin). */
  private void begin(Fetch f, Expected expected) {
    f.expected = expected;
    waiting.add(f);
    dispatch();
  }

  /** Fails {@code f} before it started. */
  private static void reject(Fetch f, String why) {
    f.result.completeExceptionally(new FetchException(why));
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
                for (Fetch f : new ArrayList<>(live)) {
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
      learn(j.stream());
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

  /**
   * Keeps what the Coordinator says of a joined stream. A new key (the stream restarted) voids
   * every statement made under the old one.
   */
  private void learn(StreamInfo info) {
    SegmentStatements known = streams.get(info.id());
    if (known == null || !known.info().equals(info)) {
      streams.put(info.id(), new SegmentStatements(info));
    }
  }

  private void connectTo(List<PeerEntry> peers) {
    for (PeerEntry entry : peers) {
      if (neighbours.size() >= maxNeighbours) {
        return;
      }
      if (neighbours.containsKey(entry.id()) || blocked.containsKey(entry.id()) || started.getNow(null) == null
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

  /**
   * Sends every waiting fetch to an open neighbour that announced its segment and has not failed
   * it; a {@link #load} that no neighbour can serve goes to the origin.
   */
  private void dispatch() {
    if (closed) {
      return;
    }
    Iterator<Fetch> it = waiting.iterator();
    List<Fetch> toOrigin = new ArrayList<>();
    while (it.hasNext()) {
      Fetch f = it.next();
      boolean asked = false;
      for (Neighbour n : neighbours.values()) {
        if (n.link.isOpen() && !f.failed.contains(n.id)
            && n.have.getOrDefault(f.ref.stream(), Set.of()).contains(f.ref)) {
          it.remove();
          asked = true;
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
      if (!asked && f.httpFallback) {
        it.remove();
        toOrigin.add(f);
      }
    }
    toOrigin.forEach(this::fromOrigin);
  }

  /** GETs {@code f}'s segment from the origin; the bytes must match the statement all the same. */
  private void fromOrigin(Fetch f) {
    URI url = origin.resolve(streams.get(f.ref.stream()).info().manifestUrl()).resolve(f.ref.fileName());
    HttpRequest get = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build();
    http.sendAsync(get, HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete(
            (response, error) -> {
              try {
                executor.execute(() -> {
                  if (f.result.isDone()) {
                    return;
                  }
                  if (error != null || response.statusCode() != 200) {
                    fail(f, "GET " + url + ": " + (error != null ? error : "HTTP " + response.statusCode()));
                  } else if (!f.expected.matches(response.body())) {
                    fail(f, "GET " + url + " does not match what the Media Server published (a broken cache?)");
                  } else {
                    succeed(f, response.body(), null);
                  }
                });
              } catch (RejectedExecutionException closed) {
                // closed meanwhile: close() failed the fetch already
              }
            });
  }

  private void succeed(Fetch f, byte[] segment, PeerId from) {
    live.remove(f);
    f.deadline.cancel(false);
    f.result.complete(new Loaded(segment, from));
  }

  private void fail(Fetch f, String why) {
    if (f.result.isDone()) {
      return;
    }
    live.remove(f);
    waiting.remove(f);
    if (f.from != null && f.from.downloads.remove(f.requestId) != null && f.from.link.isOpen()) {
      f.from.link.send(codec.encode(new WireMessage.Cancel(f.requestId)));
    }
    if (f.deadline != null) {
      f.deadline.cancel(false);
    }
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

  /**
   * A segment {@link #load}ed.
   *
   * @param bytes exactly what the Media Server published
   * @param from the neighbour that delivered it, or null if it came over HTTP from the origin
   */
  public record Loaded(byte[] bytes, PeerId from) {
    public Loaded {
      Objects.requireNonNull(bytes, "bytes");
    }
  }

  private static final class Fetch {
    final SegmentRef ref;
    /** Whether the origin is asked when no neighbour can deliver ({@link #load}). */
    final boolean httpFallback;
    final CompletableFuture<Loaded> result = new CompletableFuture<>();
    /** Neighbours that failed this segment: not asked for it again. */
    final Set<PeerId> failed = new HashSet<>();
    Expected expected;
    ScheduledFuture<?> deadline;
    long requestId;
    Neighbour from;
    SegmentAssembler assembler;

    Fetch(SegmentRef ref, boolean httpFallback) {
      this.ref = Objects.requireNonNull(ref, "ref");
      this.httpFallback = httpFallback;
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
          log.debug("{} refused {}: {} {}", id, f.ref, e.code(), e.message());
          elsewhere(f);
        }
      }
    }

    private void onData(WireMessage.Data d) {
      Fetch f = downloads.get(d.requestId());
      if (f == null) {
        return; // cancelled or failed meanwhile
      }
      long expectedLength = f.expected.length();
      if (f.assembler.received() == 0 && expectedLength >= 0 && d.totalLength() != expectedLength) {
        punish(f, "wrong-length", "announced " + d.totalLength() + " bytes for " + f.ref + ", the signed length is " + expectedLength);
        return;
      }
      boolean complete;
      try {
        complete = f.assembler.accept(d);
      } catch (P2pCollabException e) {
        punish(f, "protocol-violation", "broke the wire protocol answering " + f.ref + ": " + e.getMessage());
        return;
      }
      if (!complete) {
        return;
      }
      byte[] segment = f.assembler.segment();
      if (!f.expected.matches(segment)) {
        punish(f, "bad-segment", "sent " + f.ref + " that does not match what the Media Server published");
        return;
      }
      downloads.remove(d.requestId());
      succeed(f, segment, id);
    }

    /** {@code f} is not coming from this neighbour: ask another one (or the origin). */
    private void elsewhere(Fetch f) {
      downloads.remove(f.requestId);
      f.failed.add(id);
      f.from = null;
      f.assembler = null;
      if (closed) {
        fail(f, "viewer closed");
      } else if (!f.result.isDone()) {
        waiting.add(f);
        dispatch();
      }
    }

    /**
     * This neighbour sent bad data for {@code f}: drop every byte of it, cut, block and report the
     * peer, ask the Tracker for fresh peers, and get the segment elsewhere.
     */
    private void punish(Fetch f, String reason, String detail) {
      log.info("cut {}: {}", id, detail);
      downloads.remove(f.requestId);
      blocked.putIfAbsent(id, reason);
      signaling.send(new SignalMessage.Report(id, f.ref.stream(), reason));
      link.close(detail); // its other downloads go elsewhere too
      signaling.send(new SignalMessage.PeersRequest(f.ref.stream(), maxNeighbours));
      elsewhere(f);
    }

    @Override
    public void onClosed(String reason) {
      neighbours.remove(id);
      for (Fetch f : new ArrayList<>(downloads.values())) {
        log.debug("link to {} closed during {}: {}", id, f.ref, reason);
        elsewhere(f);
      }
    }
  }
}
