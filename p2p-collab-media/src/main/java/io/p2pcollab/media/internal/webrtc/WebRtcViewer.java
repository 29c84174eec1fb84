package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.PeerState;
import io.p2pcollab.core.SegmentAssembler;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentScheduler;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingTransport;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Expected;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java viewer peer: registers as {@code viewer}, joins a stream, offers a data channel to the
 * peers the Coordinator lists, and fetches segments over the wire protocol, checking each against
 * what the Media Server published: for a signed stream ({@link StreamInfo#isSigned()}) its signed
 * statement ({@link SegmentSignature}, docs/protocol.md §2.7, §6), for an unsigned one its SHA-256
 * in {@code hashes.json}. It only downloads; it serves nothing (a neighbour's REQUEST is answered
 * NOT_FOUND, within its serving budget). Used by integration tests and benchmarks, and by Java
 * clients that want segments peer to peer.
 *
 * <p>A signed stream's statements travel with its segments: every neighbour's answer starts with a
 * STATEMENT, which must verify under the stream's key (and agree with any statement known for the
 * segment) before a byte of the answer is used; the origin's answer carries it in the {@code
 * P2P-Collab-Statement} header. Statements that verified are kept ({@link SegmentStatements}); the
 * viewer never reads {@code signatures.json}.
 *
 * <p>{@link #load} works like the browser's Content Loader: it asks the neighbours that claim a
 * segment whether or not a statement is known yet (for an unsigned stream, once it read the hash
 * from {@code hashes.json}), and falls back to HTTP when the scheduler says so. {@link #fetch} asks
 * neighbours only.
 *
 * <p>Sources are chosen, REQUESTs given deadlines and transfers under way judged by the shared
 * rules of {@link SegmentScheduler} ({@link FetchPolicy}, docs/protocol.md §5.1; {@link
 * SegmentFetcher} says how): the <em>playback deadline</em> of a {@code load} or {@code fetch} is
 * when its {@code timeout} runs out. A transfer that falls behind its request deadline is
 * cancelled and asked elsewhere at once, and counts a late strike against its neighbour (per peer
 * ID, for the viewer's life; a transfer on time clears them); a regular neighbour with 2 strikes is
 * asked for nothing more. Being slow is never reported.
 *
 * <p>Claims are checked against what is delivered. A neighbour that sends a bad answer — a forged
 * or contradicting STATEMENT, DATA without one, a first chunk announcing another length than the
 * signed one, bytes that do not match, chunks that break the wire protocol — or that lies about
 * what it holds — NOT_FOUND for a segment its HAVE still
 * claims ({@link Claims}), or nothing at all between a REQUEST for a segment it claimed and the
 * request's deadline — is cut at once, never connected to again during this visit, and reported to
 * the Coordinator once ({@code report} with the {@link ReportReason}); the segment is then asked of
 * another neighbour (or, with {@link #load}, over HTTP). A neighbour that refuses otherwise (BUSY,
 * a NOT_FOUND its window explains) or goes away is simply not asked again for that segment. No byte
 * that does not match the statement is ever handed to the caller. Every {@code state} names, in
 * {@code servedBy}, the neighbours that delivered a verified segment since the previous one.
 *
 * <p>Whatever a neighbour sends is held to docs/protocol.md §2.4 ({@link ViewerNeighbour}): a message
 * of a known type that does not decode, one over 16 448 bytes, or DATA for a request never sent to
 * it is cut and reported ({@code protocol-violation}); a message of an unknown type is answered
 * ERROR BAD_REQUEST and the link stays open; asking past its serving budget is cut ({@code
 * flooding}).
 *
 * <p>Neighbour slots ({@link NeighbourSlots}): up to {@code maxNeighbours} outbound links (the
 * viewer offers); it answers no offer, so it has no inbound slots. A link that carries no REQUEST in
 * either direction within {@link #FIRST_REQUEST_TIMEOUT} of opening is closed (not reported).
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
  /** How long a link may stay open without a REQUEST either way before it is closed. */
  public static final Duration FIRST_REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(WebRtcViewer.class);
  private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);
  private static final Duration IDLE_SWEEP = Duration.ofMillis(250);

  private final SignalingTransport transport;
  private final URI origin;
  private final HttpClient http;
  private final boolean allowLoopback;
  private final int maxNeighbours;
  private final ScheduledExecutorService executor;
  private final CompletableFuture<PeerId> started = new CompletableFuture<>();
  private final Map<String, CompletableFuture<SignalMessage.Joined>> joins = new HashMap<>();
  private final ViewerNeighbours neighbours;
  /** What the Media Server published, per stream the Coordinator told us of. */
  private final Map<String, SegmentStatements> streams = new HashMap<>();
  private final Testimony testimony = new Testimony(m -> this.signaling.send(m));
  private final SegmentFetcher fetcher;

  private RtcEngine engine;
  private SignalingClient signaling;
  private IceSettings ice;
  private boolean closed;

  /**
   * A viewer that fetches from peers only ({@link #fetch}); {@link #load} needs an origin.
   *
   * @param maxNeighbours how many of the listed peers to connect to
   */
  public WebRtcViewer(SignalingTransport transport, boolean allowLoopback, int maxNeighbours) {
    this(transport, null, allowLoopback, maxNeighbours);
  }

  /** A viewer that fetches by {@link FetchPolicy#standard()}. */
  public WebRtcViewer(SignalingTransport transport, URI origin, boolean allowLoopback, int maxNeighbours) {
    this(transport, origin, allowLoopback, maxNeighbours, FetchPolicy.standard());
  }

  /**
   * @param origin the Web/Media Server the stream URLs of {@code joined} are relative to (e.g.
   *     {@code http://127.0.0.1:8080/}), for {@link #load}; null for none
   * @param maxNeighbours how many of the listed peers to connect to (its outbound slots)
   * @param policy how sources are chosen and transfers judged
   */
  public WebRtcViewer(SignalingTransport transport, URI origin, boolean allowLoopback, int maxNeighbours,
      FetchPolicy policy) {
    Objects.requireNonNull(policy, "policy");
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
    this.neighbours = new ViewerNeighbours(maxNeighbours, FIRST_REQUEST_TIMEOUT, Clock.systemUTC(), testimony,
        m -> signaling.send(m), this::fetcher);
    this.fetcher = new SegmentFetcher(Timers.on(executor), executor, neighbours.view(), testimony, http, policy,
        new SegmentFetcher.Host() {
          @Override
          public boolean closed() {
            return closed;
          }

          @Override
          public void asking(ViewerNeighbour n) {
            neighbours.requesting(n);
          }

          @Override
          public void cut(ViewerNeighbour n, String stream) {
            signaling.send(new SignalMessage.PeersRequest(stream, maxNeighbours));
          }

          @Override
          public void fromOrigin(SegmentRef ref, BiConsumer<Origin.Answer, String> done) {
            URI url = origin.resolve(streams.get(ref.stream()).info().manifestUrl()).resolve(ref.fileName());
            Origin.get(http, url, executor,
                (answer, error) -> done.accept(answer, error == null ? null : "GET " + url + ": " + error));
          }
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
          executor.scheduleWithFixedDelay(
              neighbours::closeIdle, IDLE_SWEEP.toMillis(), IDLE_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
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
   * Loads {@code ref} of a joined stream as the browser's Content Loader does: asks the neighbours
   * the scheduler chooses among those that announced it, and the origin over HTTP when it says so:
   * at once if no neighbour is open, else once none can deliver and at most 1 s ({@code
   * httpFallbackMargin}) before {@code timeout} runs out. For a signed stream the statement comes
   * with the segment, from whichever source (the scheduler predicts with length 0 until one is
   * known); for an unsigned one the hash is read from {@code hashes.json} first when it is not
   * known yet. Whatever the source, the bytes must match the statement — except the origin's with
   * no statement header and none known, which are trusted like the origin itself.
   *
   * @param timeout the segment's playback deadline is now + {@code timeout}: each REQUEST gets
   *     {@code requestDeadline(now, that)}, with the standard policy the time left clamped to 1–5 s
   * @return completes with the bytes and where they came from; exceptionally with {@link
   *     FetchException} if the stream was not joined, is unsigned and has no hash for {@code ref},
   *     or nobody delivered matching bytes within {@code timeout}
   * @throws IllegalStateException if this viewer has no origin
   */
  public CompletableFuture<Loaded> load(SegmentRef ref, Duration timeout) {
    if (origin == null) {
      throw new IllegalStateException("load needs an origin; this viewer fetches from peers only");
    }
    Fetch f = new Fetch(ref, true);
    enqueue(() -> fetcher.load(f, streams.get(ref.stream()), timeout, origin));
    return f.result.copy();
  }

  /**
   * Fetches {@code ref} of an <em>unsigned</em> stream from neighbours only (waiting up to {@code
   * timeout} for one that announced it), and checks it against {@code sha256Hex} (from {@code
   * hashes.json}); a neighbour whose bytes do not match is cut and reported, and another asked.
   *
   * @param timeout the segment's playback deadline is now + {@code timeout} (see {@link #load})
   * @return completes with the segment's bytes; exceptionally with {@link FetchException} if no
   *     neighbour delivered it in time, or the stream is signed (a hash alone is not enough there)
   */
  public CompletableFuture<byte[]> fetch(SegmentRef ref, String sha256Hex, Duration timeout) {
    Expected expected = new Expected(-1, Objects.requireNonNull(sha256Hex, "sha256Hex"));
    Fetch f = new Fetch(ref, false);
    enqueue(() -> fetcher.fetchUnsigned(f, streams.get(ref.stream()), expected, timeout));
    return f.result.thenApply(Loaded::bytes);
  }

  /**
   * Fetches {@code ref} of a joined signed stream from neighbours only: {@code signed} must be its
   * statement (e.g. an entry of its {@code signatures.json}) and verify under the stream's key
   * (checked here); each neighbour's STATEMENT must agree with it, the first chunk must announce
   * {@code signed.length()} bytes and the whole segment must match. A neighbour that breaks any of
   * these, or lies about holding it, is cut, reported and never asked again; the segment is then
   * asked of another neighbour until {@code timeout}.
   *
   * @param timeout the segment's playback deadline is now + {@code timeout} (see {@link #load})
   * @return completes with the verified bytes; exceptionally with {@link FetchException} if the
   *     stream was not joined or is unsigned, the entry does not verify, or no neighbour delivered
   *     in time
   */
  public CompletableFuture<byte[]> fetch(SegmentRef ref, SegmentSignature signed, Duration timeout) {
    Objects.requireNonNull(signed, "signed");
    Fetch f = new Fetch(ref, false);
    enqueue(() -> fetcher.fetchSigned(f, streams.get(ref.stream()), signed, timeout));
    return f.result.thenApply(Loaded::bytes);
  }

  /** Asks the Tracker for more peers of {@code stream}; they are connected to as they come. */
  public void requestPeers(String stream) {
    enqueue(() -> signaling.send(new SignalMessage.PeersRequest(stream, maxNeighbours)));
  }

  /**
   * The peers cut and reported during this visit, in order, each with the reason it was reported
   * for ({@code bad-segment}, {@code wrong-length}, {@code protocol-violation}, {@code not-found},
   * {@code no-answer} or {@code flooding}).
   */
  public CompletableFuture<Map<PeerId, String>> blocked() {
    CompletableFuture<Map<PeerId, String>> out = new CompletableFuture<>();
    enqueue(() -> out.complete(testimony.reported()));
    return out;
  }

  /** Neighbours whose data channel is open now. */
  public CompletableFuture<Integer> openNeighbours() {
    CompletableFuture<Integer> n = new CompletableFuture<>();
    enqueue(() -> n.complete(neighbours.open()));
    return n;
  }

  /** What {@code peer} announced for {@code stream}, once its channel is open. */
  public CompletableFuture<Set<SegmentRef>> announced(PeerId peer, String stream) {
    CompletableFuture<Set<SegmentRef>> out = new CompletableFuture<>();
    enqueue(() -> out.complete(neighbours.claims(peer, stream)));
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
                neighbours.closeAll("viewer closed");
                fetcher.failAll("viewer closed");
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
      neighbours.offerTo(j.stream().id(), j.peers(), started.getNow(null), Links.webrtc(engine, ice, executor));
      if (f != null) {
        f.complete(j);
      }
    } else if (message instanceof SignalMessage.Peers p) {
      neighbours.offerTo(p.stream(), p.peers(), started.getNow(null), Links.webrtc(engine, ice, executor));
    } else if (message instanceof SignalMessage.Signal s && s.from() != null) {
      neighbours.onSignal(s);
    } else if (message instanceof SignalMessage.PeerLeft left) {
      neighbours.close(left.peerId(), "peer left");
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

  private void heartbeat() {
    if (signaling != null && started.isDone() && !closed) {
      signaling.send(new SignalMessage.State(new PeerState(List.of(), 0), testimony.takeServedBy()));
    }
  }

  private SegmentFetcher fetcher() {
    return fetcher;
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
}
