package io.p2pcollab.media.internal;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Reads the little of fragmented MP4 (ISO/IEC 14496-12, CMAF) the Media Server needs to publish a
 * contributed stream: from the initialization segment the tracks, their codecs and timescales; from
 * each media segment its decode time, duration and whether it starts with a key frame. Anything
 * malformed is refused with {@link ErrorCode#BAD_MESSAGE}; nothing here trusts a length field
 * before checking it against the bytes at hand.
 *
 * <p>Stateless and thread-safe.
 */
public final class Fmp4 {

  private Fmp4() {}

  /** One track of an initialization segment. */
  public record Track(int id, String handler, long timescale, String codec, int width, int height) {
    public boolean isVideo() {
      return handler.equals("vide");
    }
  }

  /** What an initialization segment declares. */
  public record Init(List<Track> tracks) {
    /** The track media segments are timed by: the video track, or the first one. */
    public Track timing() {
      return tracks.stream().filter(Track::isVideo).findFirst().orElse(tracks.get(0));
    }

    /** The RFC 6381 codecs list of every track, for the MPD's {@code codecs} attribute. */
    public String codecs() {
      return String.join(",", tracks.stream().map(Track::codec).toList());
    }
  }

  /**
   * What one media segment holds for the timing track.
   *
   * @param decodeTime the {@code tfdt} base media decode time, in the track's timescale
   * @param duration the sum of its sample durations, in the track's timescale
   * @param startsWithKeyFrame whether its first sample is a sync sample
   * @param producerTimeMs the wall-clock time its {@code prft} box gives for {@code prftMediaTime}
   *     (milliseconds since the Unix epoch), or -1 without one
   */
  public record Fragment(long decodeTime, long duration, boolean startsWithKeyFrame, long producerTimeMs, long prftMediaTime) {}

  private record Box(String type, int start, int end, int bodyStart) {}

  /** Parses an initialization segment: {@code ftyp} then {@code moov} with at least one track. */
  public static Init parseInit(byte[] segment) {
    try {
      return init(segment);
    } catch (IndexOutOfBoundsException e) {
      throw bad("a field beyond the end of its box");
    }
  }

  /**
   * Parses a media segment: optional {@code styp}/{@code prft}/{@code emsg}/{@code free} boxes,
   * then exactly one {@code moof} and one {@code mdat}, timed by {@code init}'s timing track.
   */
  public static Fragment parseFragment(byte[] segment, Init init) {
    try {
      return fragment(segment, init);
    } catch (IndexOutOfBoundsException e) {
      throw bad("a field beyond the end of its box");
    } catch (ArithmeticException e) {
      throw bad("a duration beyond 64 bits");
    }
  }

  private static Init init(byte[] segment) {
    List<Box> top = boxes(segment, 0, segment.length);
    if (top.isEmpty() || !top.get(0).type().equals("ftyp")) {
      throw bad("an initialization segment starts with ftyp");
    }
    Box moov = only(top, "moov");
    if (top.stream().anyMatch(b -> b.type().equals("moof") || b.type().equals("mdat"))) {
      throw bad("an initialization segment holds no media");
    }
    List<Track> tracks = new ArrayList<>();
    for (Box trak : children(segment, moov)) {
      if (trak.type().equals("trak")) {
        tracks.add(track(segment, trak));
      }
    }
    if (tracks.isEmpty() || tracks.size() > 4) {
      throw bad("an initialization segment needs 1-4 tracks, not " + tracks.size());
    }
    if (children(segment, moov).stream().noneMatch(b -> b.type().equals("mvex"))) {
      throw bad("not a fragmented MP4 (no mvex)");
    }
    return new Init(List.copyOf(tracks));
  }

  private static Track track(byte[] s, Box trak) {
    Box tkhd = only(children(s, trak), "tkhd");
    ByteBuffer t = body(s, tkhd);
    int version = Byte.toUnsignedInt(t.get(0));
    int id = t.getInt(version == 1 ? 4 + 16 : 4 + 8);
    Box mdia = only(children(s, trak), "mdia");
    Box mdhd = only(children(s, mdia), "mdhd");
    ByteBuffer m = body(s, mdhd);
    long timescale = Integer.toUnsignedLong(m.getInt(Byte.toUnsignedInt(m.get(0)) == 1 ? 4 + 16 : 4 + 8));
    if (timescale == 0) {
      throw bad("a track with timescale 0");
    }
    Box hdlr = only(children(s, mdia), "hdlr");
    requireLength(hdlr, 12);
    String handler = ascii(s, hdlr.bodyStart() + 8, 4);
    Box minf = only(children(s, mdia), "minf");
    Box stbl = only(children(s, minf), "stbl");
    Box stsd = only(children(s, stbl), "stsd");
    // stsd: version/flags, entry count, then sample entries (boxes)
    if (stsd.end() - stsd.bodyStart() < 8) {
      throw bad("empty stsd");
    }
    List<Box> entries = boxes(s, stsd.bodyStart() + 8, stsd.end());
    if (entries.size() != 1) {
      throw bad("one sample entry per track, not " + entries.size());
    }
    Box entry = entries.get(0);
    String format = entry.type();
    int width = 0;
    int height = 0;
    String codec;
    switch (format) {
      case "avc1", "avc3" -> {
        // VisualSampleEntry: 6 reserved + 2 index + 16 pre-defined/reserved, width u16, height u16,
        // ... 78 bytes in all before its child boxes.
        requireLength(entry, 78);
        ByteBuffer v = body(s, entry);
        width = Short.toUnsignedInt(v.getShort(24));
        height = Short.toUnsignedInt(v.getShort(26));
        Box avcC = only(boxes(s, entry.bodyStart() + 78, entry.end()), "avcC");
        requireLength(avcC, 4);
        codec = format + "." + HexFormat.of().withUpperCase().formatHex(s, avcC.bodyStart() + 1, avcC.bodyStart() + 4);
      }
      case "vp09" -> codec = "vp09.00.10.08";
      case "Opus" -> codec = "opus";
      case "mp4a" -> codec = "mp4a.40.2";
      default -> throw bad("unsupported sample entry '" + format + "'");
    }
    return new Track(id, handler, timescale, codec, width, height);
  }

  private static Fragment fragment(byte[] segment, Init init) {
    List<Box> top = boxes(segment, 0, segment.length);
    Box moof = only(top, "moof");
    Box mdat = only(top, "mdat");
    if (mdat.start() < moof.end()) {
      throw bad("mdat before moof");
    }
    for (Box b : top) {
      switch (b.type()) {
        case "moof", "mdat", "styp", "prft", "emsg", "free", "sidx" -> { }
        default -> throw bad("unexpected box '" + b.type() + "' in a media segment");
      }
    }
    long producerMs = -1;
    long prftMedia = 0;
    Optional<Box> prft = top.stream().filter(b -> b.type().equals("prft")).findFirst();
    if (prft.isPresent()) {
      ByteBuffer p = body(segment, prft.get());
      int version = Byte.toUnsignedInt(p.get(0));
      requireLength(prft.get(), version == 1 ? 24 : 20);
      long ntp = p.getLong(8);
      producerMs = ntpToUnixMillis(ntp);
      prftMedia = version == 1 ? p.getLong(16) : Integer.toUnsignedLong(p.getInt(16));
    }
    Track timing = init.timing();
    for (Box traf : children(segment, moof)) {
      if (!traf.type().equals("traf")) {
        continue;
      }
      List<Box> parts = children(segment, traf);
      Box tfhd = only(parts, "tfhd");
      ByteBuffer h = body(segment, tfhd);
      requireLength(tfhd, 8);
      int tfhdFlags = h.getInt(0) & 0xFFFFFF;
      int trackId = h.getInt(4);
      if (trackId != timing.id()) {
        continue;
      }
      int pos = 8;
      if ((tfhdFlags & 0x01) != 0) pos += 8; // base-data-offset
      if ((tfhdFlags & 0x02) != 0) pos += 4; // sample-description-index
      long defaultDuration = 0;
      if ((tfhdFlags & 0x08) != 0) {
        requireLength(tfhd, pos + 4);
        defaultDuration = Integer.toUnsignedLong(h.getInt(pos));
        pos += 4;
      }
      if ((tfhdFlags & 0x10) != 0) pos += 4; // default-sample-size
      int defaultFlags = 0;
      boolean hasDefaultFlags = (tfhdFlags & 0x20) != 0;
      if (hasDefaultFlags) {
        requireLength(tfhd, pos + 4);
        defaultFlags = h.getInt(pos);
      }
      Box tfdt = only(parts, "tfdt");
      ByteBuffer d = body(segment, tfdt);
      int tfdtVersion = Byte.toUnsignedInt(d.get(0));
      requireLength(tfdt, tfdtVersion == 1 ? 12 : 8);
      long decodeTime = tfdtVersion == 1 ? d.getLong(4) : Integer.toUnsignedLong(d.getInt(4));
      long duration = 0;
      Boolean firstIsSync = null;
      for (Box trun : parts) {
        if (!trun.type().equals("trun")) {
          continue;
        }
        Run run = run(segment, trun, mdat, defaultDuration, hasDefaultFlags ? defaultFlags : 0);
        duration = Math.addExact(duration, run.duration());
        if (firstIsSync == null && run.firstFlags() != null) {
          // sample_is_non_sync_sample is bit 16 of the sample flags
          firstIsSync = (run.firstFlags() & 0x10000) == 0;
        }
      }
      if (duration <= 0) {
        throw bad("a media segment without timed samples");
      }
      return new Fragment(decodeTime, duration, firstIsSync != null && firstIsSync, producerMs, prftMedia);
    }
    throw bad("no fragment of track " + timing.id());
  }

  /** What one {@code trun} adds up to: its samples' duration and its first sample's flags (null if empty). */
  private record Run(long duration, Integer firstFlags) {}

  /**
   * Reads one {@code trun}. Its {@code sample_count} is a 32-bit header field, so it is believed
   * only as far as the bytes present bear it out: a run with per-sample fields must hold them all
   * in its box, and every sample owns at least one byte of {@code mdat}, so no run may count more
   * samples than {@code mdat} holds bytes. A run without per-sample fields is summed in one step,
   * never sample by sample: the work done is bounded by the segment's size, whatever a header says.
   */
  private static Run run(byte[] segment, Box trun, Box mdat, long defaultDuration, int defaultFlags) {
    ByteBuffer r = body(segment, trun);
    requireLength(trun, 8);
    int flags = r.getInt(0) & 0xFFFFFF;
    long count = Integer.toUnsignedLong(r.getInt(4));
    int p = 8;
    if ((flags & 0x001) != 0) p += 4; // data-offset
    Integer firstFlags = null;
    if ((flags & 0x004) != 0) {
      requireLength(trun, p + 4);
      firstFlags = r.getInt(p);
      p += 4;
    }
    int per = 0;
    for (int bit : new int[] {0x100, 0x200, 0x400, 0x800}) {
      if ((flags & bit) != 0) per += 4;
    }
    if (count > mdat.end() - mdat.bodyStart()) {
      throw bad("trun counts " + count + " samples, more than its mdat holds bytes");
    }
    if (per > 0 && count > Math.max(0, trun.end() - trun.bodyStart() - p) / per) {
      throw bad("trun sample count beyond its box");
    }
    if (count == 0) {
      return new Run(0, null);
    }
    if ((flags & 0x100) == 0 && (flags & 0x400) == 0) {
      // No per-sample duration or flags: every sample lasts the default duration, and the first
      // one's flags are the run's or the fragment's default.
      return new Run(Math.multiplyExact(count, defaultDuration), firstFlags != null ? firstFlags : defaultFlags);
    }
    long duration = 0;
    Integer first = null;
    for (int i = 0; i < (int) count; i++) {
      int q = p + i * per;
      long sampleDuration = defaultDuration;
      if ((flags & 0x100) != 0) {
        sampleDuration = Integer.toUnsignedLong(r.getInt(q));
        q += 4;
      }
      if ((flags & 0x200) != 0) q += 4;
      if (i == 0) {
        first = (flags & 0x400) != 0 ? r.getInt(q) : firstFlags != null ? firstFlags : defaultFlags;
      }
      duration += sampleDuration; // under 2^29 samples (4 bytes each) of under 2^32 ticks: no overflow
    }
    return new Run(duration, first);
  }

  /** NTP (seconds since 1900 in the high 32 bits, fraction in the low) to Unix milliseconds. */
  static long ntpToUnixMillis(long ntp) {
    long seconds = ntp >>> 32;
    long fraction = ntp & 0xFFFFFFFFL;
    return (seconds - 2_208_988_800L) * 1000 + (fraction * 1000 >>> 32);
  }

  private static List<Box> boxes(byte[] s, int from, int to) {
    List<Box> out = new ArrayList<>();
    int pos = from;
    while (pos < to) {
      if (to - pos < 8) {
        throw bad("truncated box header at " + pos);
      }
      long size = Integer.toUnsignedLong(ByteBuffer.wrap(s, pos, 4).getInt());
      String type = ascii(s, pos + 4, 4);
      int header = 8;
      if (size == 1) {
        if (to - pos < 16) {
          throw bad("truncated large box header");
        }
        size = ByteBuffer.wrap(s, pos + 8, 8).getLong();
        header = 16;
      } else if (size == 0) {
        size = to - pos; // to the end
      }
      if (size < header || size > to - pos) {
        throw bad("box '" + type + "' of " + size + " bytes does not fit at " + pos);
      }
      out.add(new Box(type, pos, pos + (int) size, pos + header));
      pos += (int) size;
      if (out.size() > 10_000) {
        throw bad("too many boxes");
      }
    }
    return out;
  }

  private static List<Box> children(byte[] s, Box parent) {
    return boxes(s, parent.bodyStart(), parent.end());
  }

  private static Box only(List<Box> boxes, String type) {
    Box found = null;
    for (Box b : boxes) {
      if (b.type().equals(type)) {
        if (found != null) {
          throw bad("two '" + type + "' boxes");
        }
        found = b;
      }
    }
    if (found == null) {
      throw bad("no '" + type + "' box");
    }
    return found;
  }

  private static ByteBuffer body(byte[] s, Box b) {
    return ByteBuffer.wrap(s, b.bodyStart(), b.end() - b.bodyStart()).slice();
  }

  private static void requireLength(Box b, int bodyBytes) {
    if (b.end() - b.bodyStart() < bodyBytes) {
      throw bad("box '" + b.type() + "' too short");
    }
  }

  private static String ascii(byte[] s, int at, int length) {
    return new String(s, at, length, StandardCharsets.ISO_8859_1);
  }

  private static P2pCollabException bad(String why) {
    return new P2pCollabException(ErrorCode.BAD_MESSAGE, "bad segment: " + why);
  }
}
