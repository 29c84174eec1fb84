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
 * <p>Threading: confined to the viewer's executor, like its link.
 */
final class ViewerNeighbour implements PeerLink.Listener {

  /** What a neighbour hands its viewer; called on the viewer's executor. */
  interface Owner {
    void signal(SignalMessage message);

    /** The data channel opened. */
    void opened(ViewerNeighbour n);

    /** A HAVE arrived: waiting segments may be askable now. */
    void announced(ViewerNeighbour n);

    /** A REQUEST of the neighbour's: the link is in use (the viewer serves nothing, though). */
    void requested(ViewerNeighbour n);

    /** A chunk answering {@code f}. */
    void chunk(ViewerNeighbour n, Fetch f, WireMessage.Data chunk);

    /** An ERROR answering {@code f}. */
    void refused(ViewerNeighbour n, Fetch f, WireMessage.Error error);

    /** Terminal: the link closed. */
    void closed(ViewerNeighbour n, String reason);
  }

  final PeerId id;
  /** Whether the Coordinator listed it as the Media Server's super-peer (never demoted for being slow). */
  final boolean superPeer;
  /** Request ID → the fetch it serves. */
  final Map<Long, Fetch> downloads = new HashMap<>();
  private final Map<String, Set<SegmentRef>> have = new HashMap<>();
  private final Owner owner;
  private final WireCodec codec = WireCodec.binary();
  /** The data channel (the {@link PeerLink}, or a fake in tests). */
  DataLink link;
  /**
   * DATA and ERROR messages received, to any request (cancelled ones too): a REQUEST during which
   * this did not move was met with silence, not merely queued behind our other transfers.
   */
  long answers;

  ViewerNeighbour(PeerId id, boolean superPeer, Owner owner) {
    this.id = id;
    this.superPeer = superPeer;
    this.owner = owner;
  }

  /** What the neighbour claims to hold of {@code stream} (its latest HAVE). */
  Set<SegmentRef> claims(String stream) {
    return have.getOrDefault(stream, Set.of());
  }

  /** Sends a REQUEST for {@code f}'s segment under {@code requestId}. */
  void request(Fetch f, long requestId) {
    downloads.put(requestId, f);
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
    owner.opened(this);
  }

  @Override
  public void onMessage(byte[] bytes) {
    WireMessage message;
    try {
      message = codec.decode(ByteBuffer.wrap(bytes));
    } catch (P2pCollabException e) {
      link.send(codec.encode(WireMessage.Error.of(e)));
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
      } // else cancelled or failed meanwhile
    } else if (message instanceof WireMessage.Error e) {
      answers++;
      Fetch f = downloads.get(e.requestId());
      if (f != null) {
        owner.refused(this, f, e);
      }
    } else if (message instanceof WireMessage.Request) {
      owner.requested(this);
    }
  }

  @Override
  public void onClosed(String reason) {
    owner.closed(this, reason);
  }
}
