package io.p2pcollab.core;

import io.p2pcollab.core.internal.Checks;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A message of the peer wire protocol (docs/protocol.md §2): one binary data-channel message
 * between two peers. Encode and decode with {@link WireCodec}. All numbers are unsigned 32-bit
 * values held in a {@code long} (the error code is 16-bit); strings are at most 255 UTF-8 bytes.
 */
public sealed interface WireMessage {

  /** Most payload bytes in one {@link Data} or {@link Push} chunk. */
  int MAX_PAYLOAD = 16_384;

  /** A copy of a chunk's payload, checked: 1..MAX_PAYLOAD bytes that fit in {@code totalLength}. */
  private static byte[] chunk(long totalLength, long offset, byte[] payload) {
    Checks.u32(totalLength, "totalLength");
    Checks.u32(offset, "offset");
    byte[] copy = payload.clone();
    if (copy.length == 0 || copy.length > MAX_PAYLOAD) {
      throw new IllegalArgumentException("payload must be 1.." + MAX_PAYLOAD + " bytes: " + copy.length);
    }
    if (offset + copy.length > totalLength) {
      throw new IllegalArgumentException(
          "chunk [" + offset + ", " + (offset + copy.length) + ") beyond totalLength " + totalLength);
    }
    return copy;
  }

  /**
   * The complete set of segments of {@code stream} the sender holds and will serve; replaces the
   * previous one for that stream.
   */
  record Have(String stream, List<Held> held) implements WireMessage {
    public Have {
      Checks.name(stream, "stream");
      held = List.copyOf(held);
      if (held.size() > 0xFFFF) {
        throw new IllegalArgumentException("at most 65535 segments in one HAVE: " + held.size());
      }
    }

    /** A HAVE for {@code refs}, which must all be of {@code stream}. */
    public static Have of(String stream, Collection<SegmentRef> refs) {
      return new Have(
          stream,
          refs.stream()
              .map(r -> {
                if (!r.stream().equals(stream)) {
                  throw new IllegalArgumentException(r + " is not of stream " + stream);
                }
                return new Held(r.track(), r.number());
              })
              .toList());
    }

    /** The held segments as references. */
    public List<SegmentRef> refs() {
      return held.stream().map(h -> new SegmentRef(stream, h.track(), h.number())).toList();
    }
  }

  /** One entry of a {@link Have}: a track and a segment number ({@link SegmentRef#INIT} for init). */
  record Held(String track, long number) {
    public Held {
      Checks.name(track, "track");
      Checks.u32(number, "number");
    }
  }

  /** Ask for a segment. */
  record Request(long requestId, SegmentRef ref) implements WireMessage {
    public Request {
      Checks.u32(requestId, "requestId");
      Objects.requireNonNull(ref, "ref");
    }
  }

  /**
   * One chunk of the answer to a request: {@code payload} holds bytes {@code [offset, offset +
   * payload.length)} of a segment of {@code totalLength} bytes. The payload is copied in and out,
   * so a message never changes.
   */
  record Data(long requestId, long totalLength, long offset, byte[] payload) implements WireMessage {
    public Data {
      Checks.u32(requestId, "requestId");
      payload = chunk(totalLength, offset, payload);
    }

    /** A copy of the payload. */
    @Override
    public byte[] payload() {
      return payload.clone();
    }

    public int payloadLength() {
      return payload.length;
    }

    /** True if this is the segment's last chunk. */
    public boolean isLast() {
      return offset + payload.length == totalLength;
    }

    /** Copies the payload into {@code dest} at {@code destOffset} without an intermediate copy. */
    public void copyPayloadTo(byte[] dest, int destOffset) {
      System.arraycopy(payload, 0, dest, destOffset, payload.length);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Data d
          && d.requestId == requestId
          && d.totalLength == totalLength
          && d.offset == offset
          && Arrays.equals(d.payload, payload);
    }

    @Override
    public int hashCode() {
      return Objects.hash(requestId, totalLength, offset, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
      String head = HexFormat.of().formatHex(payload, 0, Math.min(payload.length, 8));
      return "Data[requestId=" + requestId + ", totalLength=" + totalLength + ", offset=" + offset
          + ", payload=" + payload.length + " bytes " + head + (payload.length > 8 ? "...]" : "]");
    }
  }

  /**
   * Contributor → ingesting super-peer: one chunk of contributed segment {@code number} ({@link
   * SegmentRef#INIT} for the initialization segment), like {@link Data} but unsolicited. The stream
   * is the one the Coordinator granted the sender.
   */
  record Push(long number, long totalLength, long offset, byte[] payload) implements WireMessage {
    public Push {
      Checks.u32(number, "number");
      payload = chunk(totalLength, offset, payload);
    }

    /** A copy of the payload. */
    @Override
    public byte[] payload() {
      return payload.clone();
    }

    public int payloadLength() {
      return payload.length;
    }

    /** True if this is the segment's last chunk. */
    public boolean isLast() {
      return offset + payload.length == totalLength;
    }

    /** Copies the payload into {@code dest} at {@code destOffset}. */
    public void copyPayloadTo(byte[] dest, int destOffset) {
      System.arraycopy(payload, 0, dest, destOffset, payload.length);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Push p
          && p.number == number
          && p.totalLength == totalLength
          && p.offset == offset
          && Arrays.equals(p.payload, payload);
    }

    @Override
    public int hashCode() {
      return Objects.hash(number, totalLength, offset, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
      return "Push[number=" + number + ", totalLength=" + totalLength + ", offset=" + offset
          + ", payload=" + payload.length + " bytes]";
    }
  }

  /**
   * Ingesting super-peer → contributor: what became of pushed segment {@code number}. Code {@link
   * #STORED} means it is stored, signed and published, and will not be lost; any other code
   * (a {@link Error} code, or {@link Error#FORBIDDEN}) means it was refused and not stored.
   *
   * @param message human-readable text (empty when stored), at most 255 UTF-8 bytes
   */
  record Ack(long number, int code, String message) implements WireMessage {
    /** The segment is stored. */
    public static final int STORED = 0;

    public Ack {
      Checks.u32(number, "number");
      if (code < 0 || code > 0xFFFF) {
        throw new IllegalArgumentException("code must be an unsigned 16-bit value: " + code);
      }
      Objects.requireNonNull(message, "message");
      if (message.getBytes(StandardCharsets.UTF_8).length > 255) {
        throw new IllegalArgumentException("message over 255 UTF-8 bytes");
      }
    }

    /** Segment {@code number} is stored. */
    public static Ack stored(long number) {
      return new Ack(number, STORED, "");
    }

    public boolean isStored() {
      return code == STORED;
    }
  }

  /**
   * The Media Server's signed statement about the segment REQUEST {@code requestId} asked for
   * (docs/protocol.md §2.7): sent once, right before the answer's first {@link Data}, for a segment
   * of a signed stream. The segment is not named: it is the one the request asked for, and the
   * receiver checks the signature against that {@link SegmentRef} with {@link
   * SegmentVerifier#verify(SegmentRef, SegmentSignature)} before it uses a byte of the answer.
   *
   * <p>On the wire: requestId u32, length u32, the 32 bytes of the SHA-256, the 64 bytes of the
   * signature (105 bytes with the type).
   *
   * @param signature the statement as {@code signatures.json} writes it; not verified by the codec
   */
  record Statement(long requestId, SegmentSignature signature) implements WireMessage {
    public Statement {
      Checks.u32(requestId, "requestId");
      Objects.requireNonNull(signature, "signature");
    }
  }

  /** The requester no longer wants {@code requestId}; the sender stops sending chunks. */
  record Cancel(long requestId) implements WireMessage {
    public Cancel {
      Checks.u32(requestId, "requestId");
    }
  }

  /**
   * A request that cannot be served, or with {@code requestId} 0 a message-level error.
   *
   * @param code one of {@link #NOT_FOUND}, {@link #BUSY}, {@link #BAD_REQUEST}, {@link #TOO_LARGE}, {@link #FORBIDDEN}
   *     (others are accepted for forward compatibility), unsigned 16-bit
   * @param message human-readable text, at most 255 UTF-8 bytes
   */
  record Error(long requestId, int code, String message) implements WireMessage {
    /** The segment is not held. */
    public static final int NOT_FOUND = 1;
    /** No upload slot is free. */
    public static final int BUSY = 2;
    /** The request or message was malformed. */
    public static final int BAD_REQUEST = 3;
    /** The message was over the size limit. */
    public static final int TOO_LARGE = 4;
    /** The sender may not do this, e.g. push a segment without a contribution grant. */
    public static final int FORBIDDEN = 5;

    public Error {
      Checks.u32(requestId, "requestId");
      if (code < 0 || code > 0xFFFF) {
        throw new IllegalArgumentException("code must be an unsigned 16-bit value: " + code);
      }
      Objects.requireNonNull(message, "message");
      if (message.getBytes(StandardCharsets.UTF_8).length > 255) {
        throw new IllegalArgumentException("message over 255 UTF-8 bytes");
      }
    }

    /** The message-level error (requestId 0) a peer answers an undecodable message with. */
    public static Error of(P2pCollabException e) {
      int code = e.code() == ErrorCode.FRAME_TOO_LARGE ? TOO_LARGE : BAD_REQUEST;
      return new Error(0, code, truncateUtf8(e.getMessage(), 255));
    }

    private static String truncateUtf8(String s, int maxBytes) {
      if (s == null) {
        return "";
      }
      int end = s.length();
      while (s.substring(0, end).getBytes(StandardCharsets.UTF_8).length > maxBytes) {
        end--;
        if (end > 0 && Character.isLowSurrogate(s.charAt(end))) {
          end--;
        }
      }
      return s.substring(0, end);
    }
  }
}
