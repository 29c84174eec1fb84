package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.IceCandidate;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One neighbour a {@link WebRtcViewer} offered to: the link, what the neighbour claims to hold (its
 * latest HAVE per stream), and the REQUESTs under way on it. It decodes what arrives and hands every
 * answer to its viewer, which judges it.
 *
 * <p>What the neighbour asks goes to a {@link SegmentServer} with nothing to serve (the viewer
 * holds nothing to share): every REQUEST is answered NOT_FOUND, a message of an unknown type ERROR
 * BAD_REQUEST, within the neighbour's serving budget (docs/protocol.md §2.5) — a neighbour that
 * keeps asking is cut for {@code flooding}. A message of a known type that does not decode, one
 * over the size limit, and DATA or STATEMENT for a request never sent to this neighbour (ID 0, or
 * above the highest it was sent) are violations (§2.4): the viewer cuts the neighbour for {@code
 * protocol-violation}. DATA or STATEMENT for a request we cancelled or gave up may still be in
 * flight: ignored. A PUSH is refused (ACK code 5, once per segment): a viewer ingests nothing.
 *
 * <p>Threading: confined to the viewer's executor, like its link.
 */
final class ViewerNeighbour implements PeerLink.Listener {

  /** What a neighbour hands its viewer; called on the viewer's executor. */
  interface Owner {
    void signal(SignalMessage message);

    /** The data channel opened. */
    void opened(ViewerNeighbour n);

    /** What answers {@code n}'s own REQUESTs (and unknown messages) on its newly opened link. */
    SegmentServer serverFor(ViewerNeighbour n);

    /**
     * {@code n} broke the wire protocol, or asked past its serving budget, outside any one fetch:
     * cut it, report it for {@code reason}, never connect to it again.
     */
    void misbehaved(ViewerNeighbour n, ReportReason reason, String detail);

    /** A HAVE arrived: waiting segments may be askable now. */
    void announced(ViewerNeighbour n);

    /** A REQUEST of the neighbour's, answered (NOT_FOUND or BUSY: the viewer serves nothing): the link is in use. */
    void requested(ViewerNeighbour n);

    /** A chunk answering {@code f}. */
    void chunk(ViewerNeighbour n, Fetch f, WireMessage.Data chunk);

    /** A statement answering {@code f}. */
    void statement(ViewerNeighbour n, Fetch f, WireMessage.Statement statement);

    /** An ERROR answering {@code f}. */
    void refused(ViewerNeighbour n, Fetch f, WireMessage.Error error);

    /** Terminal: the link closed. */
    void closed(ViewerNeighbour n, String reason);
  }

  final PeerId id;
  /** Whether the Coordinator listed it as the Media Server's super-peer (never demoted for being slow). */
  final boolean superPeer;
  /** The stream it was listed for (in {@code joined} or {@code peers}): what a report names. */
  final String stream;
  /** Request ID → the fetch it serves. */
  final Map<Long, Fetch> downloads = new HashMap<>();
  private final Map<String, Set<SegmentRef>> have = new HashMap<>();
  private final Owner owner;
  private final WireCodec codec = WireCodec.binary();
  /** The data channel (the {@link PeerLink}, or a fake in tests). */
  DataLink link;
  /** Its REQUESTs to us and unknown messages, once the link is open. */
  private SegmentServer server;
  /** The highest request ID sent to it (0: none): DATA above it answers nothing we asked. */
  private long highestRequestId;
  /**
   * DATA and ERROR messages received, to any request (cancelled ones too): a REQUEST during which
   * this did not move was met with silence, not merely queued behind our other transfers.
   */
  long answers;

  ViewerNeighbour(PeerId id, boolean superPeer, String stream, Owner owner) {
    this.id = id;
    this.superPeer = superPeer;
    this.stream = stream;
    this.owner = owner;
  }

  /** What the neighbour claims to hold of {@code stream} (its latest HAVE). */
  Set<SegmentRef> claims(String stream) {
    return have.getOrDefault(stream, Set.of());
  }

  /** Sends a REQUEST for {@code f}'s segment under {@code requestId}. */
  void request(Fetch f, long requestId) {
    downloads.put(requestId, f);
    highestRequestId = Math.max(highestRequestId, requestId);
    link.send(codec.encode(new WireMessage.Request(requestId, f.ref)));
  }

  /** Withdraws the REQUEST {@code requestId}, telling the neighbour if it still listens. */
  void cancel(long requestId) {
    if (downloads.remove(requestId) != null && link.isOpen()) {
      link.send(codec.encode(new WireMessage.Cancel(requestId)));
    }
  }

  @Override
  public void onLocalDescription(String type, String sdp) {
    owner.signal(SignalMessage.Signal.sdp(id, SignalMessage.SignalKind.OFFER, sdp));
  }

  @Override
  public void onLocalCandidate(IceCandidate candidate) {
    owner.signal(SignalMessage.Signal.candidate(id, candidate));
  }

  @Override
  public void onOpen() {
    server = owner.serverFor(this);
    owner.opened(this);
  }

  @Override
  public void onMessage(byte[] bytes) {
    WireMessage message;
    try {
      message = codec.decode(ByteBuffer.wrap(bytes));
    } catch (P2pCollabException e) {
      server.undecodable(e); // an unknown type is answered; anything else is cut
      return;
    }
    if (message instanceof WireMessage.Have h) {
      have.put(h.stream(), new HashSet<>(h.refs()));
      owner.announced(this);
    } else if (message instanceof WireMessage.Data d) {
      answers++;
      Fetch f = downloads.get(d.requestId());
      if (f != null) {
        owner.chunk(this, f, d);
      } else {
        unasked(d.requestId(), "DATA");
      }
    } else if (message instanceof WireMessage.Statement s) {
      // not counted in answers: a STATEMENT and then silence is "no DATA and no ERROR" (§2.4)
      Fetch f = downloads.get(s.requestId());
      if (f != null) {
        owner.statement(this, f, s);
      } else {
        unasked(s.requestId(), "a STATEMENT");
      }
    } else if (message instanceof WireMessage.Error e) {
      answers++;
      Fetch f = downloads.get(e.requestId());
      if (f != null) {
        owner.refused(this, f, e);
      }
    } else if (message instanceof WireMessage.Request || message instanceof WireMessage.Cancel) {
      if (server.handle(message)) {
        owner.requested(this);
      }
    } else if (message instanceof WireMessage.Push p && p.offset() == 0) {
      // only an ingesting super-peer takes contributions: refused once per segment, as §2.4 says
      link.send(codec.encode(new WireMessage.Ack(p.number(), WireMessage.Error.FORBIDDEN, "not an ingest")));
    }
  }

  /** An answer to {@code requestId}, which is not under way: a violation if it was never sent. */
  private void unasked(long requestId, String what) {
    if (requestId == 0 || requestId > highestRequestId) {
      owner.misbehaved(this, ReportReason.PROTOCOL_VIOLATION,
          "sent " + what + " for request " + requestId + ", which it was never sent");
    } // else a request cancelled or given up meanwhile: its answer may still be in flight
  }

  @Override
  public void onClosed(String reason) {
    owner.closed(this, reason);
  }
}
