package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;

/**
 * Reassembles the {@link WireMessage.Data} chunks of one request into the segment. Chunks must
 * arrive in order (the data channel is ordered): the first at offset 0, each next one where the
 * previous ended, all with the same request ID and total length. The buffer is allocated once, from
 * the first chunk's total length, which must not exceed the configured maximum, so a peer cannot
 * make us allocate more than that.
 *
 * <p>Threading: not thread-safe; owned by the component that receives the channel's messages.
 */
public final class SegmentAssembler {

  /** Default largest segment accepted: 32 MiB. */
  public static final int DEFAULT_MAX_SEGMENT_BYTES = 32 * 1024 * 1024;

  private final long requestId;
  private final int maxSegmentBytes;
  private byte[] buffer;
  private int received;
  private boolean failed;

  /** An assembler for {@code requestId} accepting segments of up to {@link #DEFAULT_MAX_SEGMENT_BYTES}. */
  public SegmentAssembler(long requestId) {
    this(requestId, DEFAULT_MAX_SEGMENT_BYTES);
  }

  public SegmentAssembler(long requestId, int maxSegmentBytes) {
    this.requestId = Checks.u32(requestId, "requestId");
    if (maxSegmentBytes < 1) {
      throw new IllegalArgumentException("maxSegmentBytes must be positive: " + maxSegmentBytes);
    }
    this.maxSegmentBytes = maxSegmentBytes;
  }

  public long requestId() {
    return requestId;
  }

  /**
   * Adds the next chunk.
   *
   * @return true if the segment is now complete
   * @throws P2pCollabException ({@link ErrorCode#BAD_MESSAGE}) if the chunk is for another request,
   *     out of order, disagrees on the total length, or comes after completion; ({@link
   *     ErrorCode#FRAME_TOO_LARGE}) if the total length exceeds the maximum. The assembler is
   *     unusable after a failure: the sender broke the protocol.
   * @throws IllegalStateException if called again after a failure
   */
  public boolean accept(WireMessage.Data chunk) {
    if (failed) {
      throw new IllegalStateException("request " + requestId + " already failed");
    }
    if (chunk.requestId() != requestId) {
      throw fail(ErrorCode.BAD_MESSAGE, "chunk for request " + chunk.requestId() + ", expected " + requestId);
    }
    if (buffer == null) {
      if (chunk.totalLength() > maxSegmentBytes) {
        throw fail(
            ErrorCode.FRAME_TOO_LARGE,
            "segment of " + chunk.totalLength() + " bytes exceeds " + maxSegmentBytes);
      }
      buffer = new byte[(int) chunk.totalLength()];
    } else if (isComplete()) {
      throw fail(ErrorCode.BAD_MESSAGE, "chunk after the segment was complete");
    }
    if (chunk.totalLength() != buffer.length) {
      throw fail(
          ErrorCode.BAD_MESSAGE,
          "totalLength changed from " + buffer.length + " to " + chunk.totalLength());
    }
    if (chunk.offset() != received) {
      throw fail(ErrorCode.BAD_MESSAGE, "chunk at offset " + chunk.offset() + ", expected " + received);
    }
    // Data guarantees offset + length <= totalLength, so this cannot overflow the buffer.
    chunk.copyPayloadTo(buffer, received);
    received += chunk.payloadLength();
    return isComplete();
  }

  /** True once every byte of the segment arrived. */
  public boolean isComplete() {
    return !failed && buffer != null && received == buffer.length;
  }

  /** Bytes received so far. */
  public long received() {
    return received;
  }

  /** The segment's total length, or -1 before the first chunk. */
  public long totalLength() {
    return buffer == null ? -1 : buffer.length;
  }

  /**
   * The complete segment (not copied: the assembler is done with it).
   *
   * @throws IllegalStateException if not complete
   */
  public byte[] segment() {
    if (!isComplete()) {
      throw new IllegalStateException("segment incomplete: " + received + " of " + totalLength());
    }
    return buffer;
  }

  private P2pCollabException fail(ErrorCode code, String why) {
    // After a protocol violation nothing the assembler holds can be trusted.
    failed = true;
    return new P2pCollabException(code, "request " + requestId + ": " + why);
  }
}
