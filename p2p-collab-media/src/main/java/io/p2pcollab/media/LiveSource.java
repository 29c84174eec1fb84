package io.p2pcollab.media;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A live stream the {@link MediaServer} ingests: what ffmpeg reads, and how it is packaged. Build
 * with {@link #builder(String)}.
 *
 * @param stream the stream ID (a URL path segment: {@code [A-Za-z0-9_.-]}, 1–64 characters)
 * @param input ffmpeg input arguments (default: a 640x360@30 test pattern with a wall clock drawn
 *     on it, and a 440 Hz tone, both read in real time)
 * @param videoBitrate the H.264 bitrate, in ffmpeg's notation (default {@code 800k})
 * @param presentationDelay the {@code suggestedPresentationDelay} published in the MPD: how far
 *     behind the live edge players stay; peer-to-peer delivery needs a few seconds of buffer
 *     (default 6 s)
 * @param windowSegments how many media segments per track the live window holds (default 30)
 * @param workDir where ffmpeg writes, or null for a fresh temporary directory (default null)
 */
public record LiveSource(
    String stream, List<String> input, String videoBitrate, Duration presentationDelay, int windowSegments, Path workDir) {

  /** The default input: a test pattern with a clock, and a tone, read in real time. */
  public static final List<String> TEST_PATTERN =
      List.of(
          "-re", "-f", "lavfi", "-i",
          "testsrc2=size=640x360:rate=30,drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
              + ":text='%{localtime\\:%T}':fontsize=40:fontcolor=white:box=1:boxcolor=black@0.6:x=20:y=20",
          "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000");

  public LiveSource {
    Objects.requireNonNull(stream, "stream");
    if (!stream.matches("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}")) {
      throw new IllegalArgumentException("not a valid stream ID: " + stream);
    }
    input = List.copyOf(input);
    if (input.isEmpty()) {
      throw new IllegalArgumentException("ffmpeg needs an input");
    }
    Objects.requireNonNull(videoBitrate, "videoBitrate");
    Objects.requireNonNull(presentationDelay, "presentationDelay");
    if (presentationDelay.isNegative()) {
      throw new IllegalArgumentException("presentationDelay must not be negative");
    }
    if (windowSegments < 4) {
      throw new IllegalArgumentException("windowSegments must be >= 4: " + windowSegments);
    }
  }

  /** A builder with every default, for {@code stream}. */
  public static Builder builder(String stream) {
    return new Builder(stream);
  }

  /** Builds a {@link LiveSource}; the defaults are documented on the record. */
  public static final class Builder {
    private final String stream;
    private List<String> input = TEST_PATTERN;
    private String videoBitrate = "800k";
    private Duration presentationDelay = Duration.ofSeconds(6);
    private int windowSegments = 30;
    private Path workDir;

    private Builder(String stream) {
      this.stream = stream;
    }

    /** ffmpeg input arguments, e.g. {@code List.of("-re", "-i", "talk.mp4")}. */
    public Builder input(List<String> input) {
      this.input = input;
      return this;
    }

    public Builder videoBitrate(String videoBitrate) {
      this.videoBitrate = videoBitrate;
      return this;
    }

    public Builder presentationDelay(Duration presentationDelay) {
      this.presentationDelay = presentationDelay;
      return this;
    }

    public Builder windowSegments(int windowSegments) {
      this.windowSegments = windowSegments;
      return this;
    }

    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    /** @throws IllegalArgumentException if a value is out of range */
    public LiveSource build() {
      return new LiveSource(stream, input, videoBitrate, presentationDelay, windowSegments, workDir);
    }
  }
}
