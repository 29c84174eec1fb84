package io.p2pcollab.media.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The little of a live MPD the Media Server needs to read or change: which segment numbers each
 * representation lists, and the suggested presentation delay. ffmpeg writes one Representation
 * with a SegmentTemplate and SegmentTimeline per AdaptationSet.
 */
public final class Mpd {

  private static final Pattern REPRESENTATION =
      Pattern.compile("<Representation\\b[^>]*\\bid=\"([^\"]+)\"(.*?)</Representation>", Pattern.DOTALL);
  private static final Pattern START_NUMBER = Pattern.compile("\\bstartNumber=\"(\\d+)\"");
  private static final Pattern S = Pattern.compile("<S\\b([^>]*)/>");
  private static final Pattern R = Pattern.compile("\\br=\"(-?\\d+)\"");
  private static final Pattern DELAY = Pattern.compile("suggestedPresentationDelay=\"[^\"]*\"");

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

  /** The MPD with its {@code suggestedPresentationDelay} set to {@code seconds}. */
  public static String withPresentationDelay(String mpd, double seconds) {
    String value = "suggestedPresentationDelay=\"PT" + trim(seconds) + "S\"";
    Matcher m = DELAY.matcher(mpd);
    if (m.find()) {
      return m.replaceFirst(Matcher.quoteReplacement(value));
    }
    return mpd.replaceFirst("<MPD\\b", Matcher.quoteReplacement("<MPD " + value));
  }

  private static String trim(double seconds) {
    return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
  }
}
