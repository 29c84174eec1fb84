package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Splits a segment into the {@link WireMessage.Data} chunks that answer a request. */
public final class Chunker {

  private Chunker() {}

  /** The chunks of {@code segment}, each of at most {@link WireMessage#MAX_PAYLOAD} bytes, in order. */
  public static List<WireMessage.Data> split(long requestId, byte[] segment) {
    return split(requestId, segment, WireMessage.MAX_PAYLOAD);
  }

  /**
   * The chunks of {@code segment}, each of at most {@code chunkSize} bytes, in order.
   *
   * @throws IllegalArgumentException if the segment is empty or over 4 GiB - 1, or {@code
   *     chunkSize} is not in 1..{@link WireMessage#MAX_PAYLOAD}
   */
  public static List<WireMessage.Data> split(long requestId, byte[] segment, int chunkSize) {
    Checks.u32(requestId, "requestId");
    if (chunkSize < 1 || chunkSize > WireMessage.MAX_PAYLOAD) {
      throw new IllegalArgumentException("chunkSize must be 1.." + WireMessage.MAX_PAYLOAD);
    }
    if (segment.length == 0) {
      throw new IllegalArgumentException("a segment cannot be empty");
    }
    List<WireMessage.Data> chunks = new ArrayList<>((segment.length + chunkSize - 1) / chunkSize);
    for (int offset = 0; offset < segment.length; offset += chunkSize) {
      int end = Math.min(segment.length, offset + chunkSize);
      chunks.add(
          new WireMessage.Data(requestId, segment.length, offset, Arrays.copyOfRange(segment, offset, end)));
    }
    return chunks;
  }
}
