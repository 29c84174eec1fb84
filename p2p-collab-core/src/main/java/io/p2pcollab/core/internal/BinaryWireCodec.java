package io.p2pcollab.core.internal;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.core.WireMessage.Ack;
import io.p2pcollab.core.WireMessage.Cancel;
import io.p2pcollab.core.WireMessage.Data;
import io.p2pcollab.core.WireMessage.Error;
import io.p2pcollab.core.WireMessage.Have;
import io.p2pcollab.core.WireMessage.Held;
import io.p2pcollab.core.WireMessage.Push;
import io.p2pcollab.core.WireMessage.Request;
import io.p2pcollab.core.WireMessage.Statement;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The binary peer wire codec. Stateless. */
public final class BinaryWireCodec implements WireCodec {

  public static final BinaryWireCodec INSTANCE = new BinaryWireCodec();

  static final byte HAVE = 0x01;
  static final byte REQUEST = 0x02;
  static final byte DATA = 0x03;
  static final byte CANCEL = 0x04;
  static final byte ERROR = 0x05;
  static final byte PUSH = 0x06;
  static final byte ACK = 0x07;
  static final byte STATEMENT = 0x08;

  private static final int SHA256_BYTES = 32;

  private BinaryWireCodec() {}

  @Override
  public ByteBuffer encode(WireMessage message) {
    ByteBuffer out = ByteBuffer.allocate(encodedLength(message)).order(ByteOrder.BIG_ENDIAN);
    if (message instanceof Have m) {
      out.put(HAVE);
      putStr8(out, m.stream());
      out.putShort((short) m.held().size());
      for (Held h : m.held()) {
        putStr8(out, h.track());
        out.putInt((int) h.number());
      }
    } else if (message instanceof Request m) {
      out.put(REQUEST);
      out.putInt((int) m.requestId());
      putStr8(out, m.ref().stream());
      putStr8(out, m.ref().track());
      out.putInt((int) m.ref().number());
    } else if (message instanceof Data m) {
      out.put(DATA);
      out.putInt((int) m.requestId());
      out.putInt((int) m.totalLength());
      out.putInt((int) m.offset());
      m.copyPayloadTo(out.array(), out.position());
      out.position(out.position() + m.payloadLength());
    } else if (message instanceof Cancel m) {
      out.put(CANCEL);
      out.putInt((int) m.requestId());
    } else if (message instanceof Error m) {
      out.put(ERROR);
      out.putInt((int) m.requestId());
      out.putShort((short) m.code());
      putStr8(out, m.message());
    } else if (message instanceof Push m) {
      out.put(PUSH);
      out.putInt((int) m.number());
      out.putInt((int) m.totalLength());
      out.putInt((int) m.offset());
      m.copyPayloadTo(out.array(), out.position());
      out.position(out.position() + m.payloadLength());
    } else if (message instanceof Ack m) {
      out.put(ACK);
      out.putInt((int) m.number());
      out.putShort((short) m.code());
      putStr8(out, m.message());
    } else if (message instanceof Statement m) {
      out.put(STATEMENT);
      out.putInt((int) m.requestId());
      out.putInt((int) m.signature().length());
      out.put(m.signature().sha256Bytes());
      out.put(m.signature().sigBytes());
    }
    return out.flip();
  }

  private static int encodedLength(WireMessage message) {
    int length;
    if (message instanceof Have m) {
      length = 1 + str8Length(m.stream()) + 2;
      for (Held h : m.held()) {
        length += str8Length(h.track()) + 4;
      }
    } else if (message instanceof Request m) {
      length = 1 + 4 + str8Length(m.ref().stream()) + str8Length(m.ref().track()) + 4;
    } else if (message instanceof Data m) {
      length = 1 + 12 + m.payloadLength();
    } else if (message instanceof Cancel) {
      length = 1 + 4;
    } else if (message instanceof Error m) {
      length = 1 + 4 + 2 + str8Length(m.message());
    } else if (message instanceof Push m) {
      length = 1 + 12 + m.payloadLength();
    } else if (message instanceof Ack m) {
      length = 1 + 4 + 2 + str8Length(m.message());
    } else if (message instanceof Statement) {
      length = 1 + 4 + 4 + SHA256_BYTES + Ed25519.SIGNATURE_BYTES;
    } else {
      throw new AssertionError("unhandled message " + message.getClass());
    }
    if (length > MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException(
          "message of " + length + " bytes exceeds " + MAX_MESSAGE_BYTES + ": " + message);
    }
    return length;
  }

  private static int str8Length(String s) {
    return 1 + s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static void putStr8(ByteBuffer out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.put((byte) bytes.length);
    out.put(bytes);
  }

  @Override
  public WireMessage decode(ByteBuffer message) {
    if (message == null) {
      throw bad("no message");
    }
    ByteBuffer in = message.duplicate().order(ByteOrder.BIG_ENDIAN);
    if (in.remaining() > MAX_MESSAGE_BYTES) {
      throw new P2pCollabException(
          ErrorCode.FRAME_TOO_LARGE,
          "message of " + in.remaining() + " bytes exceeds " + MAX_MESSAGE_BYTES);
    }
    if (!in.hasRemaining()) {
      throw bad("empty message");
    }
    byte type = in.get();
    WireMessage decoded;
    try {
      switch (type) {
        case HAVE:
          decoded = decodeHave(in);
          break;
        case REQUEST:
          decoded = new Request(u32(in), new SegmentRef(str8(in), str8(in), u32(in)));
          break;
        case DATA:
          long requestId = u32(in);
          long totalLength = u32(in);
          long offset = u32(in);
          byte[] payload = new byte[in.remaining()];
          in.get(payload);
          decoded = new Data(requestId, totalLength, offset, payload);
          break;
        case CANCEL:
          decoded = new Cancel(u32(in));
          break;
        case ERROR:
          decoded = new Error(u32(in), Short.toUnsignedInt(in.getShort()), str8(in));
          break;
        case PUSH:
          long number = u32(in);
          long pushTotal = u32(in);
          long pushOffset = u32(in);
          byte[] pushed = new byte[in.remaining()];
          in.get(pushed);
          decoded = new Push(number, pushTotal, pushOffset, pushed);
          break;
        case ACK:
          decoded = new Ack(u32(in), Short.toUnsignedInt(in.getShort()), str8(in));
          break;
        case STATEMENT:
          decoded = decodeStatement(in);
          break;
        default:
          throw new P2pCollabException(
              ErrorCode.UNKNOWN_TYPE, String.format("unknown message type 0x%02x", type));
      }
    } catch (BufferUnderflowException e) {
      throw bad("truncated message of type " + type);
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
    if (in.hasRemaining()) {
      throw bad(in.remaining() + " bytes after the end of a message of type " + type);
    }
    return decoded;
  }

  private static Have decodeHave(ByteBuffer in) {
    String stream = str8(in);
    int count = Short.toUnsignedInt(in.getShort());
    // Each entry is at least 6 bytes: refuse a count the bytes cannot hold before allocating.
    if (count > in.remaining() / 6) {
      throw new BufferUnderflowException();
    }
    List<Held> held = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      held.add(new Held(str8(in), u32(in)));
    }
    return new Have(stream, held);
  }

  /** A length of 0 is refused like an empty segment: SegmentSignature takes 1..2^32-1 only. */
  private static Statement decodeStatement(ByteBuffer in) {
    long requestId = u32(in);
    long length = u32(in);
    byte[] sha256 = new byte[SHA256_BYTES];
    in.get(sha256);
    byte[] sig = new byte[Ed25519.SIGNATURE_BYTES];
    in.get(sig);
    return new Statement(requestId,
        new SegmentSignature(length, HexFormat.of().formatHex(sha256), Ed25519.encodeBase64Url(sig)));
  }

  private static long u32(ByteBuffer in) {
    return Integer.toUnsignedLong(in.getInt());
  }

  private static String str8(ByteBuffer in) {
    int length = Byte.toUnsignedInt(in.get());
    if (length > in.remaining()) {
      throw new BufferUnderflowException();
    }
    ByteBuffer bytes = in.slice(in.position(), length);
    in.position(in.position() + length);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("string is not valid UTF-8");
    }
  }

  private static P2pCollabException bad(String why) {
    return new P2pCollabException(ErrorCode.BAD_MESSAGE, why);
  }
}
