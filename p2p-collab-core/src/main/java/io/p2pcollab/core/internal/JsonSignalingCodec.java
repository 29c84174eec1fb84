package io.p2pcollab.core.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.IceCandidate;
import io.p2pcollab.core.IceServer;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.PeerState;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalMessage.Contribute;
import io.p2pcollab.core.SignalMessage.ContributeStop;
import io.p2pcollab.core.SignalMessage.Contribution;
import io.p2pcollab.core.SignalMessage.ContributionStatus;
import io.p2pcollab.core.SignalMessage.Error;
import io.p2pcollab.core.SignalMessage.Hello;
import io.p2pcollab.core.SignalMessage.Join;
import io.p2pcollab.core.SignalMessage.Joined;
import io.p2pcollab.core.SignalMessage.Leave;
import io.p2pcollab.core.SignalMessage.PeerLeft;
import io.p2pcollab.core.SignalMessage.Peers;
import io.p2pcollab.core.SignalMessage.PeersRequest;
import io.p2pcollab.core.SignalMessage.Report;
import io.p2pcollab.core.SignalMessage.Role;
import io.p2pcollab.core.SignalMessage.Signal;
import io.p2pcollab.core.SignalMessage.SignalKind;
import io.p2pcollab.core.SignalMessage.State;
import io.p2pcollab.core.SignalMessage.StreamAdded;
import io.p2pcollab.core.SignalMessage.StreamRemoved;
import io.p2pcollab.core.SignalMessage.Welcome;
import io.p2pcollab.core.SignalingCodec;
import io.p2pcollab.core.StreamHolding;
import io.p2pcollab.core.StreamInfo;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The JSON signaling codec on gson's tree and streaming API (no reflection, so nothing in a frame
 * can make gson instantiate a class). Stateless.
 */
public final class JsonSignalingCodec implements SignalingCodec {

  public static final JsonSignalingCodec INSTANCE = new JsonSignalingCodec();

  /** docs/protocol.md §1.1: nesting deeper than 8 levels is refused. */
  static final int MAX_DEPTH = 8;

  private JsonSignalingCodec() {}

  // ---------------------------------------------------------------- encode

  @Override
  public String encode(SignalMessage message) {
    StringWriter out = new StringWriter();
    try (JsonWriter w = new JsonWriter(out)) {
      w.beginObject();
      w.name("v").value(SignalMessage.VERSION);
      w.name("type").value(message.type());
      writeFields(w, message);
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static void writeFields(JsonWriter w, SignalMessage message) throws IOException {
    if (message instanceof Hello m) {
      w.name("role").value(m.role().wireName());
      optional(w, "token", m.token());
    } else if (message instanceof Join m) {
      w.name("stream").value(m.stream());
    } else if (message instanceof State m) {
      w.name("streams").beginArray();
      for (StreamHolding h : m.state().streams()) {
        w.beginObject();
        w.name("stream").value(h.stream());
        w.name("segments").value(h.segments());
        w.name("newest").value(h.newest());
        w.endObject();
      }
      w.endArray();
      w.name("uploadSlots").value(m.state().uploadSlots());
      if (!m.servedBy().isEmpty()) {
        w.name("servedBy").beginArray();
        for (PeerId p : m.servedBy()) {
          w.value(p.value());
        }
        w.endArray();
      }
    } else if (message instanceof PeersRequest m) {
      w.name("stream").value(m.stream());
      if (m.max() > 0) {
        w.name("max").value(m.max());
      }
    } else if (message instanceof Signal m) {
      if (m.to() != null) {
        w.name("to").value(m.to().value());
      }
      if (m.from() != null) {
        w.name("from").value(m.from().value());
      }
      w.name("kind").value(m.kind().wireName());
      optional(w, "sdp", m.sdp());
      if (m.candidate() != null) {
        w.name("candidate").beginObject();
        w.name("candidate").value(m.candidate().candidate());
        optional(w, "sdpMid", m.candidate().sdpMid());
        w.name("sdpMLineIndex").value(m.candidate().sdpMLineIndex());
        w.endObject();
      }
    } else if (message instanceof Report m) {
      w.name("peer").value(m.peer().value());
      w.name("stream").value(m.stream());
      w.name("reason").value(m.reason());
    } else if (message instanceof Contribute m) {
      w.name("stream").value(m.stream());
      optional(w, "token", m.token());
    } else if (message instanceof ContributeStop m) {
      w.name("stream").value(m.stream());
    } else if (message instanceof Contribution m) {
      w.name("stream").value(m.stream());
      w.name("status").value(m.status().wireName());
      optional(w, "peer", m.peer() == null ? null : m.peer().value());
      optional(w, "uploadTo", m.uploadTo() == null ? null : m.uploadTo().value());
      optional(w, "reason", m.reason());
    } else if (message instanceof StreamAdded m) {
      w.name("stream");
      writeStreamInfo(w, m.stream());
    } else if (message instanceof StreamRemoved m) {
      w.name("stream").value(m.stream());
    } else if (message instanceof Leave) {
      // no fields
    } else if (message instanceof Welcome m) {
      w.name("peerId").value(m.peerId().value());
      w.name("iceServers").beginArray();
      for (IceServer s : m.iceServers()) {
        w.beginObject();
        w.name("urls").beginArray();
        for (String url : s.urls()) {
          w.value(url);
        }
        w.endArray();
        optional(w, "username", s.username());
        optional(w, "credential", s.credential());
        w.endObject();
      }
      w.endArray();
      w.name("heartbeatMs").value(m.heartbeat().toMillis());
      w.name("streams").beginArray();
      for (StreamInfo s : m.streams()) {
        writeStreamInfo(w, s);
      }
      w.endArray();
    } else if (message instanceof Joined m) {
      w.name("stream");
      writeStreamInfo(w, m.stream());
      writePeers(w, m.peers());
    } else if (message instanceof Peers m) {
      w.name("stream").value(m.stream());
      writePeers(w, m.peers());
    } else if (message instanceof PeerLeft m) {
      w.name("peerId").value(m.peerId().value());
      w.name("stream").value(m.stream());
    } else if (message instanceof Error m) {
      w.name("code").value(m.code().wireName());
      w.name("message").value(m.message());
      optional(w, "ref", m.ref());
    } else {
      throw new AssertionError("unhandled message " + message.getClass());
    }
  }

  private static void optional(JsonWriter w, String name, String value) throws IOException {
    if (value != null) {
      w.name(name).value(value);
    }
  }

  private static void writeStreamInfo(JsonWriter w, StreamInfo s) throws IOException {
    w.beginObject();
    w.name("id").value(s.id());
    w.name("manifestUrl").value(s.manifestUrl());
    w.name("hashesUrl").value(s.hashesUrl());
    optional(w, "publicKey", s.publicKey());
    optional(w, "signaturesUrl", s.signaturesUrl());
    w.endObject();
  }

  private static void writePeers(JsonWriter w, List<PeerEntry> peers) throws IOException {
    w.name("peers").beginArray();
    for (PeerEntry p : peers) {
      w.beginObject();
      w.name("id").value(p.id().value());
      w.name("superPeer").value(p.superPeer());
      w.endObject();
    }
    w.endArray();
  }

  // ---------------------------------------------------------------- decode

  @Override
  public SignalMessage decode(String frame) {
    if (frame == null) {
      throw bad("no frame", null);
    }
    if (utf8LengthExceeds(frame, MAX_FRAME_BYTES)) {
      throw new P2pCollabException(
          ErrorCode.FRAME_TOO_LARGE, "frame over " + MAX_FRAME_BYTES + " bytes");
    }
    JsonObject o = parseObject(frame);
    JsonElement v = o.get("v");
    if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
      throw bad("missing or non-numeric 'v'", null);
    }
    if (integral(v.getAsJsonPrimitive().getAsString()) != SignalMessage.VERSION) {
      throw new P2pCollabException(
          ErrorCode.UNSUPPORTED_VERSION, "unsupported version " + v, null, null);
    }
    JsonElement t = o.get("type");
    if (t == null || !t.isJsonPrimitive() || !t.getAsJsonPrimitive().isString()) {
      throw bad("missing or non-string 'type'", null);
    }
    String type = t.getAsString();
    Fields f = new Fields(o, type);
    try {
      switch (type) {
        case "hello":
          return new Hello(f.enumValue("role", Role::fromWire), f.optString("token"));
        case "join":
          return new Join(f.string("stream"));
        case "state":
          return new State(
              new PeerState(
                  f.list("streams", e -> {
                    Fields h = f.object(e, "streams[]");
                    return new StreamHolding(
                        h.string("stream"),
                        (int) h.integer("segments", 0, Integer.MAX_VALUE),
                        h.integer("newest", -1, Checks.U32_MAX - 1));
                  }),
                  (int) f.integer("uploadSlots", 0, Integer.MAX_VALUE)),
              f.has("servedBy") ? f.peerIds("servedBy", State.MAX_SERVED_BY) : List.of());
        case "peers":
          if (f.has("peers")) {
            return new Peers(f.string("stream"), f.list("peers", e -> peerEntry(f.object(e, "peers[]"))));
          }
          return new PeersRequest(
              f.string("stream"), f.has("max") ? (int) f.integer("max", 1, Integer.MAX_VALUE) : 0);
        case "signal":
          return new Signal(
              f.optPeerId("to"),
              f.optPeerId("from"),
              f.enumValue("kind", SignalKind::fromWire),
              f.optString("sdp"),
              f.has("candidate") ? candidate(f.object(o.get("candidate"), "candidate")) : null);
        case "leave":
          return new Leave();
        case "report":
          return new Report(f.peerId("peer"), f.string("stream"), f.string("reason"));
        case "contribute":
          return new Contribute(f.string("stream"), f.optString("token"));
        case "contribute-stop":
          return new ContributeStop(f.string("stream"));
        case "contribution":
          return new Contribution(
              f.string("stream"),
              f.enumValue("status", ContributionStatus::fromWire),
              f.optPeerId("peer"),
              f.optPeerId("uploadTo"),
              f.optString("reason"));
        case "stream-added":
          return new StreamAdded(streamInfo(f.object(o.get("stream"), "stream")));
        case "stream-removed":
          return new StreamRemoved(f.string("stream"));
        case "welcome":
          return new Welcome(
              f.peerId("peerId"),
              f.list("iceServers", e -> iceServer(f.object(e, "iceServers[]"))),
              Duration.ofMillis(f.integer("heartbeatMs", 1, Integer.MAX_VALUE)),
              f.list("streams", e -> streamInfo(f.object(e, "streams[]"))));
        case "joined":
          return new Joined(
              streamInfo(f.object(o.get("stream"), "stream")),
              f.list("peers", e -> peerEntry(f.object(e, "peers[]"))));
        case "peer-left":
          return new PeerLeft(f.peerId("peerId"), f.string("stream"));
        case "error":
          return new Error(
              f.enumValue("code", ErrorCode::fromWire), f.string("message"), f.optString("ref"));
        default:
          throw new P2pCollabException(ErrorCode.UNKNOWN_TYPE, "unknown type '" + type + "'", null, null);
      }
    } catch (IllegalArgumentException | NullPointerException e) {
      // A record refused a value (a bad stream name, a signal without sdp, ...).
      throw bad(e.getMessage(), type);
    }
  }

  private static JsonObject parseObject(String frame) {
    JsonReader reader = new JsonReader(new StringReader(frame));
    reader.setStrictness(Strictness.STRICT);
    reader.setNestingLimit(MAX_DEPTH);
    JsonElement root;
    try {
      root = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw bad("trailing data after the JSON object", null);
      }
    } catch (JsonParseException | IOException | IllegalStateException e) {
      throw bad("invalid JSON: " + e.getMessage(), null);
    }
    if (!root.isJsonObject()) {
      throw bad("not a JSON object", null);
    }
    return root.getAsJsonObject();
  }

  private static PeerEntry peerEntry(Fields f) {
    return new PeerEntry(f.peerId("id"), f.bool("superPeer"));
  }

  private static StreamInfo streamInfo(Fields f) {
    return new StreamInfo(
        f.string("id"),
        f.string("manifestUrl"),
        f.string("hashesUrl"),
        f.optString("publicKey"),
        f.optString("signaturesUrl"));
  }

  private static IceServer iceServer(Fields f) {
    return new IceServer(
        f.list("urls", e -> f.stringValue(e, "urls[]")), f.optString("username"), f.optString("credential"));
  }

  private static IceCandidate candidate(Fields f) {
    return new IceCandidate(
        f.string("candidate"), f.optString("sdpMid"), (int) f.integer("sdpMLineIndex", 0, 0xFFFF));
  }

  /** Returned by {@link #integral} for anything but an integer in the range of a long. */
  private static final long NOT_INTEGRAL = Long.MIN_VALUE;

  /**
   * The value of a JSON number if it is integral, as JavaScript sees it: {@code 3}, {@code 3.0}
   * and {@code 3e0} are all 3, so the Java and the browser peers accept the same frames.
   */
  static long integral(String number) {
    if (number.length() > 40) {
      return NOT_INTEGRAL; // no sensible field needs more digits; keeps BigDecimal cheap
    }
    try {
      BigDecimal d = new BigDecimal(number);
      if (d.compareTo(LONG_MIN) <= 0 || d.compareTo(LONG_MAX) > 0) {
        return NOT_INTEGRAL;
      }
      return d.longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      return NOT_INTEGRAL;
    }
  }

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  static P2pCollabException bad(String why, String type) {
    return new P2pCollabException(ErrorCode.BAD_MESSAGE, why, type, null);
  }

  /** True if the UTF-8 encoding of {@code s} is longer than {@code limit} bytes. */
  static boolean utf8LengthExceeds(String s, int limit) {
    if (s.length() > limit) {
      return true; // every char is at least one byte
    }
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes > limit;
  }

  /** Typed access to the fields of one JSON object; every failure is BAD_MESSAGE. */
  private static final class Fields {
    private final JsonObject o;
    private final String type;

    Fields(JsonObject o, String type) {
      this.o = o;
      this.type = type;
    }

    /** Present and not null. */
    boolean has(String name) {
      JsonElement e = o.get(name);
      return e != null && !e.isJsonNull();
    }

    private JsonElement required(String name) {
      if (!has(name)) {
        throw bad("missing field '" + name + "'", type);
      }
      return o.get(name);
    }

    String string(String name) {
      return stringValue(required(name), name);
    }

    String optString(String name) {
      return has(name) ? string(name) : null;
    }

    String stringValue(JsonElement e, String name) {
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
        return e.getAsString();
      }
      throw bad("field '" + name + "' must be a string", type);
    }

    boolean bool(String name) {
      JsonElement e = required(name);
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
        return e.getAsBoolean();
      }
      throw bad("field '" + name + "' must be true or false", type);
    }

    long integer(String name, long min, long max) {
      JsonElement e = required(name);
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
        long value = integral(e.getAsJsonPrimitive().getAsString());
        if (value != NOT_INTEGRAL && value >= min && value <= max) {
          return value;
        }
      }
      throw bad("field '" + name + "' must be an integer in [" + min + ", " + max + "]", type);
    }

    PeerId peerId(String name) {
      String s = string(name);
      if (!PeerId.isValid(s)) {
        throw bad("field '" + name + "' is not a peer ID", type);
      }
      return new PeerId(s);
    }

    List<PeerId> peerIds(String name, int max) {
      List<PeerId> ids = list(name, e -> {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()
            || !PeerId.isValid(e.getAsString())) {
          throw bad("field '" + name + "[]' is not a peer ID", type);
        }
        return new PeerId(e.getAsString());
      });
      if (ids.size() > max) {
        throw bad("field '" + name + "' lists more than " + max + " peers", type);
      }
      return ids;
    }

    PeerId optPeerId(String name) {
      return has(name) ? peerId(name) : null;
    }

    <E> E enumValue(String name, Function<String, java.util.Optional<E>> fromWire) {
      String s = string(name);
      return fromWire.apply(s).orElseThrow(() -> bad("field '" + name + "' has unknown value '" + s + "'", type));
    }

    Fields object(JsonElement e, String name) {
      if (e == null || !e.isJsonObject()) {
        throw bad("field '" + name + "' must be an object", type);
      }
      return new Fields(e.getAsJsonObject(), type);
    }

    <T> List<T> list(String name, Function<JsonElement, T> element) {
      JsonElement e = required(name);
      if (!e.isJsonArray()) {
        throw bad("field '" + name + "' must be an array", type);
      }
      JsonArray array = e.getAsJsonArray();
      List<T> out = new ArrayList<>(array.size());
      for (JsonElement item : array) {
        out.add(element.apply(item));
      }
      return out;
    }
  }

}
