package io.p2pcollab.media.internal;

import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.media.LiveSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs ffmpeg for one {@link LiveSource} and feeds what it writes into the {@link SegmentStore}.
 *
 * <p>ffmpeg writes each segment under a {@code .tmp} name and renames it when complete, so a file
 * under its final name is whole. Every 100 ms the ingest thread picks up new segments, then the
 * MPD — published only if every segment it names as newest is already stored, so that no peer
 * learns of a segment whose hash is not published yet. If ffmpeg dies it is started again after a
 * second, with a fresh window and key.
 *
 * <p>Threading: one daemon thread per source ({@code p2p-collab-ingest-<stream>}) does everything;
 * another drains ffmpeg's output into the log.
 */
public final class FfmpegIngest implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FfmpegIngest.class);
  private static final String MPD = "manifest.mpd";
  /**
   * How often players fetch the MPD again, and how long caches may keep it. It changes only when
   * the stream restarts, and then its URL changes too ({@code StreamInfo.standardSigned}).
   */
  static final Duration MANIFEST_UPDATE_PERIOD = Duration.ofSeconds(60);

  private final LiveSource source;
  private final SegmentStore store;
  private final Consumer<String> onOpened;
  private final Path dir;
  private final boolean ownDir;
  private final ScheduledExecutorService thread;
  private volatile Process process;
  private volatile boolean closed;
  private long restartAt;
  private long lastMpdModified = -1;
  private final Map<String, Integer> initSizes = new java.util.HashMap<>();
  private final Map<String, Long> newestIngested = new java.util.HashMap<>();

  /**
   * @param onOpened told the stream's new public key each time the stream (re)starts, on the
   *     thread that starts it
   */
  public FfmpegIngest(LiveSource source, SegmentStore store, Consumer<String> onOpened) throws IOException {
    this.source = source;
    this.store = store;
    this.onOpened = onOpened;
    this.ownDir = source.workDir() == null;
    this.dir = ownDir ? Files.createTempDirectory("p2p-collab-" + source.stream() + "-") : source.workDir();
    Files.createDirectories(dir);
    String name = "p2p-collab-ingest-" + source.stream();
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
  }

  /** The ffmpeg command line for a source writing into {@code dir}. */
  public static List<String> command(LiveSource source) {
    List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "warning", "-nostdin"));
    cmd.addAll(source.input());
    cmd.addAll(List.of(
        "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
        "-b:v", source.videoBitrate(), "-maxrate", source.videoBitrate(), "-bufsize", source.videoBitrate(),
        // A key frame starts every 1 s segment, whatever the input's frame rate.
        "-force_key_frames", "expr:gte(t,n_forced*1)", "-sc_threshold", "0",
        "-c:a", "aac", "-b:a", "64k", "-ac", "2",
        // Segments numbered by a fixed duration, no SegmentTimeline: the MPD then stays the same
        // for the whole run, so players fetch it rarely and a CDN may cache it (docs/protocol.md §4).
        "-f", "dash", "-seg_duration", "1", "-use_timeline", "0", "-use_template", "1",
        "-window_size", Integer.toString(source.windowSegments()), "-extra_window_size", "5",
        "-remove_at_exit", "1",
        "-init_seg_name", "init-stream$RepresentationID$.m4s",
        "-media_seg_name", "chunk-stream$RepresentationID$-$Number%05d$.m4s",
        "-adaptation_sets", "id=0,streams=v id=1,streams=a",
        MPD));
    return cmd;
  }

  /** Opens the stream (its key is known when this returns), starts ffmpeg and the ingest loop. */
  public void start() {
    openStream();
    thread.execute(this::launch);
    thread.scheduleWithFixedDelay(this::poll, 100, 100, TimeUnit.MILLISECONDS);
  }

  private void launch() {
    if (closed) {
      return;
    }
    try {
      clean();
      lastMpdModified = -1;
      initSizes.clear();
      newestIngested.clear();
      Process p = new ProcessBuilder(command(source)).directory(dir.toFile()).redirectErrorStream(true).start();
      process = p;
      Thread drain = new Thread(() -> drain(p), "p2p-collab-ffmpeg-" + source.stream());
      drain.setDaemon(true);
      drain.start();
      log.info("ffmpeg started for stream {} in {}", source.stream(), dir);
    } catch (IOException e) {
      log.warn("cannot start ffmpeg for stream {}; retrying in 1 s", source.stream(), e);
      restartAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    }
  }

  private void openStream() {
    onOpened.accept(store.open(source.stream(), source.windowSegments() + 2));
  }

  private void drain(Process p) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        log.warn("ffmpeg[{}]: {}", source.stream(), line);
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  private void poll() {
    try {
      Process p = process;
      if (p == null || !p.isAlive()) {
        if (closed) {
          return;
        }
        if (p != null && restartAt == 0) {
          log.warn("ffmpeg for stream {} exited with {}; restarting in 1 s", source.stream(), p.exitValue());
          restartAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
          process = null;
        }
        if (restartAt != 0 && System.nanoTime() >= restartAt) {
          restartAt = 0;
          openStream(); // a new run reuses segment numbers: new window, new key
          launch();
        }
        return;
      }
      ingestSegments();
      ingestManifest();
    } catch (RuntimeException | IOException e) {
      log.warn("ingest of stream {} failed; continuing", source.stream(), e);
    }
  }

  private void ingestSegments() throws IOException {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.m4s")) {
      files.forEach(found::add);
    }
    found.sort(Comparator.comparing(Path::toString)); // names are zero-padded: oldest first
    for (Path f : found) {
      String name = f.getFileName().toString();
      Optional<SegmentRef> ref = SegmentRef.fromFileName(source.stream(), name);
      // ffmpeg keeps a few more files on disk than the store's window: a segment that was
      // evicted must not come back, so media segments are taken in number order, once.
      if (ref.isEmpty()
          || store.holds(source.stream(), name)
          || (!ref.get().isInit() && ref.get().number() <= newestIngested.getOrDefault(ref.get().track(), 0L))) {
        continue;
      }
      try {
        byte[] bytes = Files.readAllBytes(f);
        // Media segments appear under their final name only when complete; an init segment is
        // written in place, so it is taken once its size held still for one poll.
        if (bytes.length > 0 && (!ref.get().isInit() || initSizes.getOrDefault(name, -1) == bytes.length)) {
          store.add(ref.get(), bytes);
          if (!ref.get().isInit()) {
            newestIngested.put(ref.get().track(), ref.get().number());
          }
        }
        initSizes.put(name, bytes.length);
      } catch (NoSuchFileException e) {
        // slid out of ffmpeg's window before we read it
      }
    }
  }

  private void ingestManifest() throws IOException {
    Path mpd = dir.resolve(MPD);
    long modified;
    String text;
    try {
      modified = Files.getLastModifiedTime(mpd).toMillis() ^ Files.size(mpd);
      if (modified == lastMpdModified) {
        return;
      }
      text = Files.readString(mpd);
    } catch (NoSuchFileException e) {
      return;
    }
    // Players compute from the clock which segments exist: publish once every representation has
    // its init segment and a first media segment here, so the first requests find them.
    List<String> tracks = Mpd.representations(text);
    if (tracks.isEmpty() || !Mpd.numberedByDuration(text)) {
      return;
    }
    for (String track : tracks) {
      if (!store.holds(source.stream(), SegmentRef.init(source.stream(), track).fileName())
          || store.window(source.stream()).stream().noneMatch(r -> !r.isInit() && r.track().equals(track))) {
        return; // not all of it is hashed yet: try again on the next poll
      }
    }
    lastMpdModified = modified;
    double delay = source.presentationDelay().toMillis() / 1000.0;
    String published = Mpd.withUpdatePeriod(Mpd.withPresentationDelay(text, delay), MANIFEST_UPDATE_PERIOD.toSeconds());
    store.publishManifest(source.stream(), published.getBytes(StandardCharsets.UTF_8), MANIFEST_UPDATE_PERIOD);
  }

  private void clean() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String n = f.getFileName().toString();
        if (n.endsWith(".m4s") || n.endsWith(".tmp") || n.equals(MPD)) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    Process p = process;
    if (p != null) {
      p.destroy(); // SIGTERM: ffmpeg finishes and removes its files (-remove_at_exit)
      try {
        if (!p.waitFor(3, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    thread.shutdownNow();
    store.close(source.stream());
    if (ownDir) {
      try {
        clean();
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        log.debug("could not remove {}", dir, e);
      }
    }
  }
}
