package io.p2pcollab.media.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a contributing page uploads, from a real Chromium recording
 * ({@code contribution/chromium-mediarecorder.mp4}): its initialization segment and its media
 * segments, cut at the top-level boxes as the browser SDK cuts them.
 */
public final class RecordedContribution {

  public final byte[] init;
  public final List<byte[]> segments;

  private RecordedContribution(byte[] init, List<byte[]> segments) {
    this.init = init;
    this.segments = List.copyOf(segments);
  }

  public static RecordedContribution load() {
    byte[] all;
    try (InputStream in = RecordedContribution.class.getResourceAsStream("/contribution/chromium-mediarecorder.mp4")) {
      all = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<byte[]> boxes = new ArrayList<>();
    int pos = 0;
    while (pos < all.length) {
      int size = ByteBuffer.wrap(all, pos, 4).getInt();
      boxes.add(Arrays.copyOfRange(all, pos, pos + size));
      pos += size;
    }
    byte[] init = concat(boxes.get(0), boxes.get(1));
    List<byte[]> segments = new ArrayList<>();
    for (int i = 2; i + 1 < boxes.size(); i += 2) {
      segments.add(concat(boxes.get(i), boxes.get(i + 1)));
    }
    return new RecordedContribution(init, segments);
  }

  public static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
