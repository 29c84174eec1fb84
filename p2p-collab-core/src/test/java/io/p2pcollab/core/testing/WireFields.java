package io.p2pcollab.core.testing;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.WireMessage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Peer wire messages as the golden fixtures write them: {@code wire.json}'s {@code fields}, and
 * {@code conformance.json}'s messages sent and expected. {@code type} is the message's name
 * ({@code HAVE}, {@code REQUEST}, …), the other keys are the field names of docs/protocol.md §2 (a
 * REQUEST's SegRef flattened into {@code stream}, {@code track}, {@code number}); payloads, and a
 * STATEMENT's {@code sha256} and {@code sig}, are hex.
 * Independent of the codec, so that it can check it.
 */
public final class WireFields {

  private static final HexFormat HEX = HexFormat.of();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private WireFields() {}

  /** The message {@code f} describes. */
  public static WireMessage message(JsonObject f) {
    String type = f.get("type").getAsString();
    return switch (type) {
      case "HAVE" -> {
        List<WireMessage.Held> held = new ArrayList<>();
        for (JsonElement e : f.getAsJsonArray("held")) {
          JsonObject h = e.getAsJsonObject();
          held.add(new WireMessage.Held(h.get("track").getAsString(), h.get("number").getAsLong()));
        }
        yield new WireMessage.Have(f.get("stream").getAsString(), held);
      }
      case "REQUEST" -> new WireMessage.Request(
          f.get("requestId").getAsLong(),
          new SegmentRef(f.get("stream").getAsString(), f.get("track").getAsString(), f.get("number").getAsLong()));
      case "DATA" -> new WireMessage.Data(
          f.get("requestId").getAsLong(),
          f.get("totalLength").getAsLong(),
          f.get("offset").getAsLong(),
          HEX.parseHex(f.get("payload").getAsString()));
      case "CANCEL" -> new WireMessage.Cancel(f.get("requestId").getAsLong());
      case "PUSH" -> new WireMessage.Push(
          f.get("number").getAsLong(),
          f.get("totalLength").getAsLong(),
          f.get("offset").getAsLong(),
          HEX.parseHex(f.get("payload").getAsString()));
      case "ACK" -> new WireMessage.Ack(f.get("number").getAsLong(), f.get("code").getAsInt(), f.get("message").getAsString());
      case "ERROR" -> new WireMessage.Error(
          f.get("requestId").getAsLong(), f.get("code").getAsInt(), f.get("message").getAsString());
      case "STATEMENT" -> new WireMessage.Statement(
          f.get("requestId").getAsLong(),
          new SegmentSignature(
              f.get("length").getAsLong(),
              f.get("sha256").getAsString(),
              BASE64URL.encodeToString(HEX.parseHex(f.get("sig").getAsString()))));
      default -> throw new IllegalArgumentException("unknown fixture type " + type);
    };
  }

  /**
   * Whether {@code m} has every field {@code expected} lists, with that value (numbers compared as
   * numbers, payloads as hex); fields not listed are not looked at.
   */
  public static boolean matches(WireMessage m, JsonObject expected) {
    for (var e : expected.entrySet()) {
      Object actual = field(m, e.getKey());
      var want = e.getValue().getAsJsonPrimitive();
      boolean same = actual instanceof Number n
          ? want.isNumber() && n.longValue() == want.getAsLong()
          : actual != null && want.isString() && actual.equals(want.getAsString());
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /** The field {@code name} of {@code m} as a fixture writes it; null if it has none. */
  public static Object field(WireMessage m, String name) {
    if (name.equals("type")) {
      return typeOf(m);
    }
    if (m instanceof WireMessage.Have h) {
      return name.equals("stream") ? h.stream() : null;
    } else if (m instanceof WireMessage.Request r) {
      return switch (name) {
        case "requestId" -> r.requestId();
        case "stream" -> r.ref().stream();
        case "track" -> r.ref().track();
        case "number" -> r.ref().number();
        default -> null;
      };
    } else if (m instanceof WireMessage.Data d) {
      return switch (name) {
        case "requestId" -> d.requestId();
        case "totalLength" -> d.totalLength();
        case "offset" -> d.offset();
        case "payload" -> HEX.formatHex(d.payload());
        default -> null;
      };
    } else if (m instanceof WireMessage.Push p) {
      return switch (name) {
        case "number" -> p.number();
        case "totalLength" -> p.totalLength();
        case "offset" -> p.offset();
        case "payload" -> HEX.formatHex(p.payload());
        default -> null;
      };
    } else if (m instanceof WireMessage.Cancel c) {
      return name.equals("requestId") ? c.requestId() : null;
    } else if (m instanceof WireMessage.Error e) {
      return switch (name) {
        case "requestId" -> e.requestId();
        case "code" -> e.code();
        case "message" -> e.message();
        default -> null;
      };
    } else if (m instanceof WireMessage.Ack a) {
      return switch (name) {
        case "number" -> a.number();
        case "code" -> a.code();
        case "message" -> a.message();
        default -> null;
      };
    } else if (m instanceof WireMessage.Statement s) {
      return switch (name) {
        case "requestId" -> s.requestId();
        case "length" -> s.signature().length();
        case "sha256" -> s.signature().sha256();
        case "sig" -> HEX.formatHex(s.signature().sigBytes());
        default -> null;
      };
    }
    return null;
  }

  /** {@code m}'s type as a fixture names it. */
  public static String typeOf(WireMessage m) {
    if (m instanceof WireMessage.Have) {
      return "HAVE";
    } else if (m instanceof WireMessage.Request) {
      return "REQUEST";
    } else if (m instanceof WireMessage.Data) {
      return "DATA";
    } else if (m instanceof WireMessage.Cancel) {
      return "CANCEL";
    } else if (m instanceof WireMessage.Error) {
      return "ERROR";
    } else if (m instanceof WireMessage.Push) {
      return "PUSH";
    } else if (m instanceof WireMessage.Ack) {
      return "ACK";
    } else if (m instanceof WireMessage.Statement) {
      return "STATEMENT";
    }
    throw new IllegalArgumentException("unknown message " + m);
  }
}
