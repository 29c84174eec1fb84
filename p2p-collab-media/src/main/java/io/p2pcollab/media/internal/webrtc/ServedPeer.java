package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.IceCandidate;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import java.nio.ByteBuffer;

/**
 * One peer a super-peer serves: the link it offered, the wire-protocol server on it once open, and
 * the receiver of its pushes should it contribute. Well-formed REQUESTs, and a granted contributor's
 * PUSHes, tell the host the link is in use (it keeps its slot past the first-request deadline).
 *
 * <p>Threading: confined to the super-peer's executor, like its link.
 */
final class ServedPeer implements PeerLink.Listener {

  private static final byte PUSH = 0x06;

  /** What a served peer needs of its super-peer; called on the super-peer's executor. */
  interface Host {
    /** Sends {@code message} to the Coordinator. */
    void signal(SignalMessage message);

    /** The server for {@code peer}'s newly opened link. */
    SegmentServer serverFor(ServedPeer peer);

    /** The receiver of {@code peer}'s pushes on a newly opened link. */
    UploadReceiver receiverFor(PeerId peer, WireSink link);

    /** {@code peer}'s channel opened. */
    void opened(ServedPeer peer);

    /** {@code peer}'s link carried a well-formed REQUEST. */
    void inUse(ServedPeer peer);

    /** {@code peer} pushed a contributed segment's chunk (granted or not). */
    void pushed(ServedPeer peer);

    /** Something counted in the super-peer's stats changed. */
    void changed();

    /** Terminal: {@code peer}'s link closed. */
    void closed(ServedPeer peer, String reason);
  }

  final PeerId id;
  private final Host host;
  private final WireCodec codec = WireCodec.binary();
  SignaledLink link;
  SegmentServer server;
  private UploadReceiver receiver;
  Timers.Timer connectTimer;

  ServedPeer(PeerId id, Host host) {
    this.id = id;
    this.host = host;
  }

  @Override
  public void onLocalDescription(String type, String sdp) {
    host.signal(SignalMessage.Signal.sdp(id, SignalMessage.SignalKind.ANSWER, sdp));
  }

  @Override
  public void onLocalCandidate(IceCandidate candidate) {
    host.signal(SignalMessage.Signal.candidate(id, candidate));
  }

  @Override
  public void onOpen() {
    if (connectTimer != null) {
      connectTimer.cancel();
    }
    server = host.serverFor(this);
    receiver = host.receiverFor(id, link);
    server.announceAll();
    host.opened(this);
  }

  @Override
  public void onMessage(byte[] message) {
    if (message.length > 0 && message[0] == PUSH) {
      WireMessage m;
      try {
        m = codec.decode(ByteBuffer.wrap(message));
      } catch (P2pCollabException e) {
        server.onMessage(message); // answers the malformed message like any other
        return;
      }
      host.pushed(this);
      receiver.onPush((WireMessage.Push) m);
      return;
    }
    if (server.onMessage(message)) {
      host.inUse(this);
    }
    host.changed();
  }

  @Override
  public void onWritable() {
    server.pump();
    host.changed();
  }

  @Override
  public void onClosed(String reason) {
    if (connectTimer != null) {
      connectTimer.cancel();
    }
    host.closed(this, reason);
  }
}
