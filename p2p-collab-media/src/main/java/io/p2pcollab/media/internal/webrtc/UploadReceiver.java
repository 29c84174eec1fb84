package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.core.WireMessage.Ack;
import io.p2pcollab.core.WireMessage.Push;
import io.p2pcollab.media.internal.ContributedStreams;
import java.util.Objects;

/**
 * The super-peer's end of one contributor's uploads (docs/protocol.md §2, PUSH/ACK): reassembles
 * each pushed segment, checks the grant again before storing it, hands it to the Media Server and
 * acknowledges it only once it is stored — or refuses it with a code, storing nothing.
 *
 * <p>Every chunk is counted against the stream's caps before anything else ({@link
 * ContributionMeter}): the chunk that goes over is refused with {@code FORBIDDEN} ("too-fast: …"),
 * the contribution is cut ({@link Uploads#cut}), and every later push meets no grant.
 *
 * <p>Threading: confined to the super-peer's executor.
 */
final class UploadReceiver {

  private final WireSink sink;
  private final WireCodec codec = WireCodec.binary();
  private final PeerId contributor;
  /** Where the contributor's grant is looked up, on every segment: it may be revoked, ended or cut. */
  private final Uploads uploads;
  private long number = -1;
  private byte[] buffer;
  private int received;
  private boolean refusing;
  long stored;
  long refused;

  UploadReceiver(WireSink sink, PeerId contributor, Uploads uploads) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.contributor = Objects.requireNonNull(contributor, "contributor");
    this.uploads = Objects.requireNonNull(uploads, "uploads");
  }

  void onPush(Push p) {
    if (!withinCaps(p)) {
      return;
    }
    if (p.offset() == 0) {
      if (buffer != null && received < buffer.length) {
        refuse(number, WireMessage.Error.BAD_REQUEST, "segment " + number + " was left incomplete");
      }
      number = p.number();
      buffer = null;
      received = 0;
      refusing = false;
      if (uploads.of(contributor) == null) {
        refuse(number, WireMessage.Error.FORBIDDEN, "no contribution grant");
        return;
      }
      if (p.totalLength() > ContributedStreams.MAX_SEGMENT_BYTES) {
        refuse(number, WireMessage.Error.TOO_LARGE, "segment over " + ContributedStreams.MAX_SEGMENT_BYTES + " bytes");
        return;
      }
      buffer = new byte[(int) p.totalLength()];
    }
    if (refusing) {
      return; // the rest of a refused segment
    }
    if (buffer == null || p.number() != number || p.offset() != received || p.totalLength() != buffer.length) {
      refuse(p.number(), WireMessage.Error.BAD_REQUEST, "chunk out of order");
      return;
    }
    p.copyPayloadTo(buffer, received);
    received += p.payloadLength();
    if (received < buffer.length) {
      return;
    }
    byte[] segment = buffer;
    buffer = null;
    // Checked again for every segment: a grant revoked mid-upload stores nothing more.
    Uploads.Upload upload = uploads.of(contributor);
    if (upload == null) {
      refuse(number, WireMessage.Error.FORBIDDEN, "no contribution grant");
      return;
    }
    try {
      if (number == SegmentRef.INIT) {
        upload.contribution().init(segment);
      } else {
        upload.contribution().segment(number, segment);
      }
    } catch (P2pCollabException e) {
      int code = e.code() == ErrorCode.FRAME_TOO_LARGE ? WireMessage.Error.TOO_LARGE : WireMessage.Error.BAD_REQUEST;
      String text = e.getMessage();
      refuse(number, code, text.startsWith(e.code() + ": ") ? text.substring(e.code().name().length() + 2) : text);
      return;
    }
    stored++;
    sink.send(codec.encode(Ack.stored(number)));
  }

  /**
   * Counts {@code p} against its stream's caps: a segment begun at offset 0, and its payload.
   *
   * @return false if that took the stream over a cap: the push is refused and the contribution cut
   */
  private boolean withinCaps(Push p) {
    Uploads.Upload upload = uploads.of(contributor);
    if (upload == null) {
      return true; // no grant: refused as such below, and nothing is counted
    }
    String over = p.offset() == 0 ? upload.meter().segment() : null;
    if (over == null) {
      over = upload.meter().bytes(p.payloadLength());
    }
    if (over == null) {
      return true;
    }
    buffer = null; // nothing of it will be stored
    refuse(p.number(), WireMessage.Error.FORBIDDEN, Uploads.TOO_FAST + ": " + over);
    uploads.cut(upload, over);
    return false;
  }

  private void refuse(long n, int code, String message) {
    refusing = true;
    refused++;
    String text = message == null ? "" : message;
    while (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
      text = text.substring(0, text.length() - 1);
    }
    sink.send(codec.encode(new Ack(n, code, text)));
  }
}
