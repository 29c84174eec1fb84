package io.p2pcollab.media.internal;

import io.p2pcollab.core.ContributionIngest;
import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.StreamInfo;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Media Server's side of contributions: each contributed stream gets a fresh signing key, its
 * segments are checked (fragmented MP4, numbered without gaps, a key frame first, time moving
 * forward), stored, hashed and signed in the {@link SegmentStore}, and listed in a dynamic MPD of
 * its own — a SegmentTimeline of the real durations, its availability start set so that each
 * segment is available the moment it arrives. Ending a stream turns its MPD static with its final
 * duration; the segments stay for {@link #LINGER} so that players finish cleanly.
 *
 * <p>Threading: safe for concurrent use; one monitor per stream. Listeners run on the calling thread
 * after the stream's monitor is released.
 */
public final class ContributedStreams implements ContributionIngest {

  private static final Logger log = LoggerFactory.getLogger(ContributedStreams.class);
  /** Segments listed in a contributed stream's MPD (and kept, plus two). */
  public static final int WINDOW = 30;
  /** How long an ended stream's segments stay served. */
  public static final Duration LINGER = Duration.ofSeconds(30);
  /** The largest contributed segment accepted. */
  public static final int MAX_SEGMENT_BYTES = 8 << 20;
  /**
   * How far behind the newest segment players stay: three segments, so that one arriving a second
   * late (a busy contributor, a slow uplink) does not make every viewer stall.
   */
  private static final double PRESENTATION_DELAY_SECONDS = 3.0;
  /**
   * Where a contributed stream's media time 0 sits on the presentation timeline. Players start a
   * live stream near its live edge; a stream whose timeline starts at 0 puts that start within the
   * first second, where Shaka Player's start-up seek can fail to register and leave its playhead
   * frozen. Starting the period later keeps every contributed stream clear of 0.
   */
  public static final long PERIOD_START_SECONDS = 100;

  private final SegmentStore store;
  private final Clock clock;
  private final Predicate<String> taken;
  private final Consumer<StreamInfo> onStarted;
  private final Consumer<String> onEnded;
  private final Map<String, Stream> streams = new HashMap<>();
  /** Media segments stored per contributed stream, kept after it ends (until it starts again). */
  private final Map<String, Long> storedCounts = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param taken whether a stream ID is used by a configured (non-contributed) stream
   * @param onStarted told each contributed stream's info once its first segment is published
   * @param onEnded told each contributed stream's ID when it ends
   */
  public ContributedStreams(
      SegmentStore store, Clock clock, Predicate<String> taken, Consumer<StreamInfo> onStarted, Consumer<String> onEnded) {
    this.store = store;
    this.clock = clock;
    this.taken = taken;
    this.onStarted = onStarted;
    this.onEnded = onEnded;
  }

  @Override
  public Contribution open(String stream, PeerId contributor) {
    synchronized (streams) {
      Stream old = streams.get(stream);
      if (taken.test(stream) || (old != null && !old.ended())) {
        throw new P2pCollabException(ErrorCode.STREAM_TAKEN, "stream '" + stream + "' is live already");
      }
      if (old != null) {
        store.close(stream); // a lingering ended run: the new one starts clean, with a new key
      }
      Stream s = new Stream(stream, contributor);
      streams.put(stream, s);
      storedCounts.put(stream, 0L);
      log.info("contributed stream {} of {} opened", stream, contributor);
      return s;
    }
  }

  /** Drops ended streams whose linger time is over; call now and then. */
  public void sweep() {
    Instant now = clock.instant();
    synchronized (streams) {
      streams.values().removeIf(s -> {
        Instant endedAt = s.endedAt();
        if (endedAt != null && now.isAfter(endedAt.plus(LINGER))) {
          store.close(s.id);
          return true;
        }
        return false;
      });
    }
  }

  /** Media segments stored for {@code stream} in its latest run (0 if never contributed). */
  public long segmentsStored(String stream) {
    return storedCounts.getOrDefault(stream, 0L);
  }

  /** The contributed streams being ingested now (not ended). */
  public java.util.List<String> live() {
    synchronized (streams) {
      return streams.values().stream().filter(s -> !s.ended()).map(s -> s.id).sorted().toList();
    }
  }

  private record Entry(long number, long time, long duration, int bytes) {}

  /** One contributed stream. */
  private final class Stream implements Contribution {
    final String id;
    final PeerId contributor;
    private Fmp4.Init init;
    private byte[] initBytes;
    private final ArrayDeque<Entry> timeline = new ArrayDeque<>();
    private long lastNumber;
    private long nextTime = -1;
    private Instant availabilityStart;
    private Instant endedAt;
    private long totalDuration;
    private long firstTime = -1;

    Stream(String id, PeerId contributor) {
      this.id = id;
      this.contributor = contributor;
    }

    synchronized boolean ended() {
      return endedAt != null;
    }

    synchronized Instant endedAt() {
      return endedAt;
    }

    @Override
    public String stream() {
      return id;
    }

    @Override
    public void init(byte[] segment) {
      synchronized (this) {
        requireOpen();
        if (initBytes != null) {
          if (!Arrays.equals(initBytes, segment)) {
            throw bad("a different initialization segment was stored before");
          }
          return;
        }
        Fmp4.Init parsed = Fmp4.parseInit(segment);
        store.open(id, WINDOW + 2);
        store.add(SegmentRef.init(id, "0"), segment.clone());
        init = parsed;
        initBytes = segment.clone();
      }
    }

    @Override
    public void segment(long number, byte[] bytes) {
      StreamInfo started = null;
      synchronized (this) {
        requireOpen();
        if (init == null) {
          throw bad("a media segment before the initialization segment");
        }
        if (bytes.length > MAX_SEGMENT_BYTES) {
          throw new P2pCollabException(ErrorCode.FRAME_TOO_LARGE, "segment over " + MAX_SEGMENT_BYTES + " bytes");
        }
        if (number <= lastNumber) {
          Optional<byte[]> held = store.segment(new SegmentRef(id, "0", number));
          if (held.isPresent() && !Arrays.equals(held.get(), bytes)) {
            throw bad("segment " + number + " was stored with other bytes");
          }
          return; // stored before: acknowledged again
        }
        if (number != lastNumber + 1) {
          throw bad("segment " + number + " out of order: expected " + (lastNumber + 1));
        }
        Fmp4.Fragment f = Fmp4.parseFragment(bytes, init);
        if (!f.startsWithKeyFrame()) {
          throw bad("segment " + number + " does not start with a key frame");
        }
        long tolerance = init.timing().timescale() / 10;
        long time = f.decodeTime();
        if (nextTime >= 0) {
          if (time < nextTime - tolerance) {
            throw bad("segment " + number + " goes back in time");
          }
          time = Math.abs(time - nextTime) <= tolerance ? nextTime : time; // close enough: contiguous
        }
        store.add(new SegmentRef(id, "0", number), bytes.clone());
        storedCounts.merge(id, 1L, Long::sum);
        timeline.addLast(new Entry(number, time, f.duration(), bytes.length));
        while (timeline.size() > WINDOW) {
          timeline.removeFirst();
        }
        if (firstTime < 0) {
          firstTime = time;
        }
        lastNumber = number;
        nextTime = time + f.duration();
        totalDuration = nextTime - firstTime;
        if (availabilityStart == null) {
          // Media time `nextTime` is now: each later segment is available as it arrives.
          long endMs = nextTime * 1000 / init.timing().timescale() + PERIOD_START_SECONDS * 1000;
          availabilityStart = clock.instant().minusMillis(endMs).truncatedTo(ChronoUnit.MILLIS);
          started = StreamInfo.standardSigned(id, store.publicKey(id).orElseThrow());
        }
        store.publishManifest(id, mpd(false).getBytes(StandardCharsets.UTF_8));
      }
      if (started != null) {
        log.info("contributed stream {} is live", id);
        onStarted.accept(started);
      }
    }

    @Override
    public void end() {
      synchronized (this) {
        if (endedAt != null) {
          return;
        }
        endedAt = clock.instant();
        if (availabilityStart != null) {
          store.publishManifest(id, mpd(true).getBytes(StandardCharsets.UTF_8));
        }
      }
      log.info("contributed stream {} ended after {} segments", id, lastNumber);
      onEnded.accept(id);
    }

    private void requireOpen() {
      if (endedAt != null) {
        throw bad("stream '" + id + "' has ended");
      }
    }

    /** The MPD: dynamic while live; static, with the whole duration, once ended. Under the monitor. */
    private String mpd(boolean last) {
      Fmp4.Track timing = init.timing();
      long scale = timing.timescale();
      long bytes = 0;
      long duration = 0;
      for (Entry e : timeline) {
        bytes += e.bytes();
        duration += e.duration();
      }
      long bandwidth = duration == 0 ? 1 : Math.max(1, bytes * 8 * scale / duration);
      StringBuilder x = new StringBuilder(2048);
      x.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
      x.append("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" profiles=\"urn:mpeg:dash:profile:isoff-live:2011\"");
      if (last) {
        x.append(" type=\"static\" mediaPresentationDuration=\"")
            .append(seconds(totalDuration + PERIOD_START_SECONDS * scale, scale)).append('"');
      } else {
        x.append(" type=\"dynamic\" availabilityStartTime=\"").append(availabilityStart)
            .append("\" publishTime=\"").append(clock.instant().truncatedTo(ChronoUnit.MILLIS))
            .append("\" minimumUpdatePeriod=\"PT0.5S\" timeShiftBufferDepth=\"PT").append(WINDOW)
            .append("S\" suggestedPresentationDelay=\"PT").append(PRESENTATION_DELAY_SECONDS).append('S').append('"');
      }
      x.append(" minBufferTime=\"PT1S\">\n");
      x.append(" <Period id=\"0\" start=\"PT").append(PERIOD_START_SECONDS).append("S\">\n");
      x.append("  <AdaptationSet id=\"0\" contentType=\"video\" mimeType=\"video/mp4\" segmentAlignment=\"true\" startWithSAP=\"1\">\n");
      x.append("   <Representation id=\"0\" codecs=\"").append(init.codecs()).append("\" bandwidth=\"").append(bandwidth).append('"');
      if (timing.width() > 0) {
        x.append(" width=\"").append(timing.width()).append("\" height=\"").append(timing.height()).append('"');
      }
      x.append(">\n");
      Entry first = timeline.getFirst();
      x.append("    <SegmentTemplate timescale=\"").append(scale)
          .append("\" initialization=\"init-stream$RepresentationID$.m4s\" media=\"chunk-stream$RepresentationID$-$Number%05d$.m4s\" startNumber=\"")
          .append(first.number()).append("\">\n");
      x.append("     <SegmentTimeline>\n");
      long expected = -1;
      for (Entry e : timeline) {
        x.append("      <S ");
        if (e.time() != expected) {
          x.append("t=\"").append(e.time()).append("\" ");
        }
        x.append("d=\"").append(e.duration()).append("\"/>\n");
        expected = e.time() + e.duration();
      }
      x.append("     </SegmentTimeline>\n    </SegmentTemplate>\n   </Representation>\n  </AdaptationSet>\n </Period>\n</MPD>\n");
      return x.toString();
    }
  }

  private static String seconds(long ticks, long scale) {
    return "PT" + (ticks / scale) + "." + String.format("%03d", ticks % scale * 1000 / scale) + "S";
  }

  private static P2pCollabException bad(String why) {
    return new P2pCollabException(ErrorCode.BAD_MESSAGE, why);
  }
}
