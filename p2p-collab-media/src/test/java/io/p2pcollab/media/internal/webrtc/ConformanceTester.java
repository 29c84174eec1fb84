package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentSigner;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The scripted side of a conformance scenario (fixtures/conformance.json): one neighbour of the
 * peer under test that sends what the scenario says, records every message the peer sends it, and
 * answers the peer's REQUESTs the way the scenario's {@code answer} step last said — for a signed
 * stream ({@link #signer} set) every answer with DATA starting with the segment's STATEMENT, unless
 * the answer is {@code no-statement}. Its links come from {@link #links}: the one the peer opened
 * last is {@link #link}. Single-threaded.
 */
final class ConformanceTester {

  /** How the tester answers REQUESTs, as conformance.json's {@code answer} step names it. */
  enum Answer {
    CHUNKS, FIRST_CHUNK, NOTHING, NOT_FOUND, WRONG_LENGTH, OUT_OF_ORDER, CORRUPT, NO_STATEMENT, FORGED_STATEMENT;

    static Answer named(String name) {
      return valueOf(name.toUpperCase().replace('-', '_'));
    }
  }

  private static final WireCodec CODEC = WireCodec.binary();

  final PeerId id;
  /** Everything the peer sent it, over all its links, in order. */
  final List<WireMessage> received = new ArrayList<>();
  /** The link the peer opened last; null until it opens one. */
  ScriptedLink link;
  Answer answer = Answer.CHUNKS;
  /** The key of the stream it answers for, if it is signed: its answers then start with a STATEMENT. */
  SegmentSigner signer;
  private final ManualTimers timers;
  /** The segments it answers with: the scenario's bytes. */
  private final Map<SegmentRef, byte[]> segments;

  ConformanceTester(PeerId id, ManualTimers timers, Map<SegmentRef, byte[]> segments) {
    this.id = Objects.requireNonNull(id, "id");
    this.timers = timers;
    this.segments = segments;
  }

  /** Where the peer under test takes its links to the tester from. */
  Links links() {
    return (remote, role, listener) -> {
      if (!remote.equals(id)) {
        throw new AssertionError("the peer under test opened a link to " + remote + ", which is not the tester");
      }
      link = new ScriptedLink(timers, listener, this::hear);
      return link;
    };
  }

  /** Whether the tester's latest link is open, on both sides (only the peer closes it). */
  boolean open() {
    return link != null && link.isOpen();
  }

  /** Sends {@code m} to the peer on the latest link. */
  void send(WireMessage m) {
    ByteBuffer b = CODEC.encode(m);
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    sendBytes(bytes);
  }

  /** Sends {@code bytes}, well-formed or not, as one message. */
  void sendBytes(byte[] bytes) {
    if (link == null) {
      throw new AssertionError("the tester has no link to send on");
    }
    link.fromTester(bytes);
  }

  private void hear(byte[] bytes) {
    WireMessage m = CODEC.decode(ByteBuffer.wrap(bytes)); // the peer under test sends only what decodes
    received.add(m);
    if (m instanceof WireMessage.Request r) {
      answer(r);
    }
  }

  private void answer(WireMessage.Request r) {
    byte[] data = segments.get(r.ref());
    long id = r.requestId();
    switch (answer) {
      case NOTHING -> { }
      case NOT_FOUND -> send(new WireMessage.Error(id, WireMessage.Error.NOT_FOUND, "not held"));
      case FIRST_CHUNK -> {
        state(r, data, false);
        chunks(id, data).stream().limit(1).forEach(this::send);
      }
      case WRONG_LENGTH -> {
        state(r, data, false);
        chunks(id, data).stream().limit(1)
            .forEach(c -> send(new WireMessage.Data(id, c.totalLength() + 1, c.offset(), c.payload())));
      }
      case OUT_OF_ORDER -> {
        state(r, data, false);
        List<WireMessage.Data> chunks = chunks(id, data);
        send(chunks.get(0));
        send(chunks.get(2));
      }
      case CORRUPT -> {
        state(r, data, false);
        byte[] bad = data.clone();
        for (int i = 0; i < bad.length; i++) {
          bad[i] ^= 0x5a;
        }
        chunks(id, bad).forEach(this::send);
      }
      case NO_STATEMENT -> chunks(id, data).forEach(this::send);
      case FORGED_STATEMENT -> {
        state(r, data, true);
        chunks(id, data).forEach(this::send);
      }
      case CHUNKS -> {
        state(r, data, false);
        chunks(id, data).forEach(this::send);
      }
    }
  }

  /**
   * For a signed stream, sends the STATEMENT of {@code data} answering {@code r}: the stream key's
   * own, or with {@code forged} the first byte of its signature xor 0x01.
   */
  private void state(WireMessage.Request r, byte[] data, boolean forged) {
    if (signer == null || data == null) {
      return;
    }
    SegmentSignature genuine = signer.sign(r.ref(), data);
    if (!forged) {
      send(new WireMessage.Statement(r.requestId(), genuine));
      return;
    }
    byte[] sig = genuine.sigBytes();
    sig[0] ^= 0x01;
    send(new WireMessage.Statement(r.requestId(), new SegmentSignature(genuine.length(), genuine.sha256(),
        Base64.getUrlEncoder().withoutPadding().encodeToString(sig))));
  }

  /** {@code data} as DATA chunks of at most 16 384 bytes; none for a segment the tester lacks. */
  static List<WireMessage.Data> chunks(long requestId, byte[] data) {
    List<WireMessage.Data> out = new ArrayList<>();
    if (data == null) {
      return out;
    }
    for (int off = 0; off < data.length; off += WireMessage.MAX_PAYLOAD) {
      out.add(new WireMessage.Data(requestId, data.length, off,
          Arrays.copyOfRange(data, off, Math.min(data.length, off + WireMessage.MAX_PAYLOAD))));
    }
    return out;
  }
}
