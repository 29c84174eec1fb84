package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One DASH segment: a stream, a representation (track) of it and a segment number. Maps one to one
 * onto the segment's file name (docs/protocol.md §4) and onto the wire protocol's SegRef.
 *
 * @param stream stream ID (1-64 characters of {@code [A-Za-z0-9_.-]}, not starting with '.')
 * @param track DASH representation ID, same alphabet (e.g. {@code "0"} video, {@code "1"} audio)
 * @param number the DASH {@code $Number$}, an unsigned 32-bit value; {@link #INIT} means the
 *     representation's initialization segment
 */
public record SegmentRef(String stream, String track, long number) {

  /** The number that stands for the initialization segment. */
  public static final long INIT = 0xFFFFFFFFL;

  private static final Pattern INIT_FILE = Pattern.compile("init-stream(.+)\\.m4s");
  private static final Pattern CHUNK_FILE = Pattern.compile("chunk-stream(.+)-([0-9]{5,10})\\.m4s");

  public SegmentRef {
    Checks.name(stream, "stream");
    Checks.name(track, "track");
    Checks.u32(number, "number");
  }

  /** The initialization segment of {@code track}. */
  public static SegmentRef init(String stream, String track) {
    return new SegmentRef(stream, track, INIT);
  }

  public boolean isInit() {
    return number == INIT;
  }

  /** {@code init-stream{track}.m4s} or {@code chunk-stream{track}-{number:05d}.m4s}. */
  public String fileName() {
    return isInit()
        ? "init-stream" + track + ".m4s"
        : String.format("chunk-stream%s-%05d.m4s", track, number);
  }

  /**
   * The segment named {@code fileName} in {@code stream}, or empty if the name is not one of ours
   * (only the canonical spelling {@link #fileName()} produces is accepted, so the mapping stays
   * one to one).
   */
  public static Optional<SegmentRef> fromFileName(String stream, String fileName) {
    if (!Checks.isName(stream) || fileName == null) {
      return Optional.empty();
    }
    Matcher init = INIT_FILE.matcher(fileName);
    if (init.matches()) {
      return Checks.isName(init.group(1))
          ? Optional.of(init(stream, init.group(1)))
          : Optional.empty();
    }
    Matcher chunk = CHUNK_FILE.matcher(fileName);
    if (!chunk.matches() || !Checks.isName(chunk.group(1))) {
      return Optional.empty();
    }
    long number = Long.parseLong(chunk.group(2));
    if (number >= INIT) {
      return Optional.empty();
    }
    SegmentRef ref = new SegmentRef(stream, chunk.group(1), number);
    return ref.fileName().equals(fileName) ? Optional.of(ref) : Optional.empty();
  }

  @Override
  public String toString() {
    return stream + "/" + track + "/" + (isInit() ? "init" : Long.toString(number));
  }
}
