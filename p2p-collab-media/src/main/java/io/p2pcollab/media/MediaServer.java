package io.p2pcollab.media;

import io.p2pcollab.core.ContributionIngest;
import io.p2pcollab.core.SegmentSource;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.media.internal.ContributedStreams;
import io.p2pcollab.media.internal.FfmpegIngest;
import io.p2pcollab.media.internal.SegmentStore;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Media Server: ingests live streams that ffmpeg packages as DASH (CMAF/fMP4, 1 s segments,
 * a key frame each, a dynamic MPD), keeps each stream's live window in memory with every segment's
 * SHA-256 and Ed25519 signature, and publishes an MPD only once every segment it names is hashed.
 * The window is the {@link SegmentSource} its super-peer serves from; {@link #httpHandler()}
 * serves it over HTTP.
 *
 * <pre>{@code
 * MediaServer media = MediaServer.create(List.of(LiveSource.builder("main").build()));
 * media.start();
 * coordinator.addStream(media.streamInfo("main"));
 * httpServer.createContext("/live/", media.httpHandler());
 * }</pre>
 *
 * <p>It also ingests <em>contributed</em> streams: {@link #contributions()} is where the super-peer
 * puts what an authorized viewer uploads; each such stream gets a key and an MPD of its own and is
 * announced through {@link #onStreamStarted} like a configured one, and {@link #onStreamEnded} when
 * it ends.
 *
 * <p>Lifecycle: create, {@link #start()}, {@link #close()} (idempotent; stops ffmpeg, which
 * removes its files). Threading: every method is safe from any thread; each source has one ingest
 * thread of its own, and one more thread drops ended contributions after their linger time.
 */
public final class MediaServer implements AutoCloseable {

  private final List<LiveSource> sources;
  private final SegmentStore store = new SegmentStore();
  private final MediaHttpHandler http = new MediaHttpHandler(store);
  private final Map<String, FfmpegIngest> ingests = new LinkedHashMap<>();
  private final List<Consumer<StreamInfo>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> endListeners = new CopyOnWriteArrayList<>();
  private final ContributedStreams contributed;
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "p2p-collab-contributions");
        t.setDaemon(true);
        return t;
      });
  private boolean started;
  private boolean closed;

  private MediaServer(List<LiveSource> sources) {
    this.sources = List.copyOf(sources);
    if (this.sources.stream().map(LiveSource::stream).distinct().count() != this.sources.size()) {
      throw new IllegalArgumentException("two sources with the same stream ID");
    }
    this.contributed = new ContributedStreams(
        store, Clock.systemUTC(), id -> this.sources.stream().anyMatch(s -> s.stream().equals(id)),
        this::fireStarted, this::fireEnded);
  }

  private void fireStarted(StreamInfo info) {
    for (Consumer<StreamInfo> l : listeners) {
      l.accept(info);
    }
  }

  private void fireEnded(String stream) {
    for (Consumer<String> l : endListeners) {
      l.accept(stream);
    }
  }

  /** A Media Server (not started) for {@code sources}. */
  public static MediaServer create(List<LiveSource> sources) {
    return new MediaServer(Objects.requireNonNull(sources, "sources"));
  }

  /**
   * Starts ffmpeg for every source.
   *
   * @throws IOException if a working directory cannot be made
   * @throws IllegalStateException if already started
   */
  public synchronized void start() throws IOException {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    for (LiveSource s : sources) {
      FfmpegIngest ingest = new FfmpegIngest(s, store, key -> fireStarted(StreamInfo.standardSigned(s.stream(), key)));
      ingests.put(s.stream(), ingest);
      ingest.start();
    }
    sweeper.scheduleWithFixedDelay(contributed::sweep, 5, 5, TimeUnit.SECONDS);
  }

  /**
   * Registers a listener told of each stream's {@link StreamInfo} whenever the stream starts or
   * restarts (ffmpeg restarted: a new signing key). Hand it to the Coordinator:
   * {@code media.onStreamStarted(coordinator::addStream)}. Called on the thread that (re)starts
   * the stream; must not throw.
   */
  public void onStreamStarted(Consumer<StreamInfo> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Registers a listener told the ID of each contributed stream that ends (its contributor stopped,
   * left or was revoked). Hand it to the Coordinator: {@code
   * media.onStreamEnded(coordinator::removeStream)}. Called on the ingesting thread; must not throw.
   */
  public void onStreamEnded(Consumer<String> listener) {
    endListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Where the super-peer puts contributed segments: {@code SuperPeers.create(config, media.segments(), media.contributions(), signaling)}. */
  public ContributionIngest contributions() {
    return contributed;
  }

  /** Media segments stored for contributed stream {@code stream} in its latest run, live or ended. */
  public long segmentsStored(String stream) {
    return contributed.segmentsStored(stream);
  }

  /** The contributed streams live now, by ID. */
  public List<String> contributedStreams() {
    return contributed.live();
  }

  /** The live windows, as the super-peer (or any serving peer) reads them. */
  public SegmentSource segments() {
    return store;
  }

  /**
   * What peers are told of {@code stream} in {@code welcome}/{@code joined}: its URLs and public key.
   *
   * @throws IllegalArgumentException if the stream is not running
   */
  public StreamInfo streamInfo(String stream) {
    String key = store.publicKey(stream).orElseThrow(() -> new IllegalArgumentException("no running stream " + stream));
    return StreamInfo.standardSigned(stream, key);
  }

  /** The HTTP handler for {@code /live/}. */
  public MediaHttpHandler httpHandler() {
    return http;
  }

  /** What was measured of {@code stream}. */
  public StreamStats stats(String stream) {
    long[] counts = store.counts(stream);
    return new StreamStats(store.bitrateBps(stream, 1.0), http.bytesServed(stream), (int) counts[0], counts[1]);
  }

  /** The streams configured. */
  public List<String> streams() {
    List<String> ids = new ArrayList<>();
    sources.forEach(s -> ids.add(s.stream()));
    return ids;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    sweeper.shutdownNow();
    ingests.values().forEach(FfmpegIngest::close);
  }

}
