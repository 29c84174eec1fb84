package io.p2pcollab.media.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The little of a live MPD the Media Server needs to read or change: its representations, which
 * segment numbers a SegmentTimeline lists, the suggested presentation delay and the update period.
 * ffmpeg writes one Representation with a SegmentTemplate per AdaptationSet: numbered by duration
 * for the encoder's live streams (an MPD that changes only when the stream restarts), with a
 * SegmentTimeline for contributed streams (ContributedStreams).
 */
public final class Mpd {

  private static final Pattern REPRESENTATION =
      Pattern.compile("<Representation\\b[^>]*\\bid=\"([^\"]+)\"(.*?)</Representation>", Pattern.DOTALL);
  private static final Pattern START_NUMBER = Pattern.compile("\\bstartNumber=\"(\\d+)\"");
  private static final Pattern S = Pattern.compile("<S\\b([^>]*)/>");
  private static final Pattern R = Pattern.compile("\\br=\"(-?\\d+)\"");
  private static final Pattern DELAY = Pattern.compile("suggestedPresentationDelay=\"[^\"]*\"");
  private static final Pattern UPDATE_PERIOD = Pattern.compile("minimumUpdatePeriod=\"[^\"]*\"");
  private static final Pattern TEMPLATE_DURATION = Pattern.compile("<SegmentTemplate\\b[^>]*\\bduration=\"\\d+\"");

  private Mpd() {}

  /**
   * The newest media segment number each representation lists: startNumber + Σ(1 + r) − 1; a
   * representation with an empty timeline is left out.
   */
  public static Map<String, Long> newestPerRepresentation(String mpd) {
    Map<String, Long> out = new LinkedHashMap<>();
    Matcher rep = REPRESENTATION.matcher(mpd);
    while (rep.find()) {
      String body = rep.group(2);
      Matcher start = START_NUMBER.matcher(body);
      long number = start.find() ? Long.parseLong(start.group(1)) : 1;
      long count = 0;
      Matcher s = S.matcher(body);
      while (s.find()) {
        Matcher r = R.matcher(s.group(1));
        count += 1 + (r.find() ? Math.max(0, Long.parseLong(r.group(1))) : 0);
      }
      if (count > 0) {
        out.put(rep.group(1), number + count - 1);
      }
    }
    return out;
  }

  /** The IDs of the MPD's representations, in document order. */
  public static List<String> representations(String mpd) {
    List<String> out = new ArrayList<>();
    Matcher rep = REPRESENTATION.matcher(mpd);
    while (rep.find()) {
      out.add(rep.group(1));
    }
    return out;
  }

  /**
   * Whether every segment is addressed by {@code $Number$} and a fixed duration (no
   * SegmentTimeline): players compute which segments exist from the clock, and the MPD does not
   * change as segments are added.
   */
  public static boolean numberedByDuration(String mpd) {
    return TEMPLATE_DURATION.matcher(mpd).find() && !mpd.contains("<SegmentTimeline");
  }

  /** The MPD with its {@code suggestedPresentationDelay} set to {@code seconds}. */
  public static String withPresentationDelay(String mpd, double seconds) {
    return withAttribute(mpd, DELAY, "suggestedPresentationDelay=\"PT" + trim(seconds) + "S\"");
  }

  /** The MPD with its {@code minimumUpdatePeriod} (how often players fetch it again) set to {@code seconds}. */
  public static String withUpdatePeriod(String mpd, long seconds) {
    return withAttribute(mpd, UPDATE_PERIOD, "minimumUpdatePeriod=\"PT" + seconds + "S\"");
  }

  private static String withAttribute(String mpd, Pattern attribute, String value) {
    Matcher m = attribute.matcher(mpd);
    if (m.find()) {
      return m.replaceFirst(Matcher.quoteReplacement(value));
    }
    return mpd.replaceFirst("<MPD\\b", Matcher.quoteReplacement("<MPD " + value));
  }

  private static String trim(double seconds) {
    return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
  }
}
