package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.IceCandidate;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One data channel between a peer under test and a scripted tester, on {@link ManualTimers}: the
 * peer's side is this {@link SignaledLink}, the tester's is {@link #fromTester}. The channel opens
 * as soon as the offer is made or answered; what either side sends arrives in order at the same
 * instant, once the sender's task is over (as on the owner's serial executor), and never after the
 * link closed. Everything the peer sends is heard by the tester when it is sent, so a CANCEL just
 * before a close is not lost. Only the peer closes it. Single-threaded.
 */
final class ScriptedLink implements SignaledLink {

  private final ManualTimers timers;
  private final PeerLink.Listener peer;
  private final Consumer<byte[]> tester;
  private boolean open;
  private boolean closed;

  /**
   * @param peer the peer under test's side of the link
   * @param tester hears every message the peer sends
   */
  ScriptedLink(ManualTimers timers, PeerLink.Listener peer, Consumer<byte[]> tester) {
    this.timers = Objects.requireNonNull(timers, "timers");
    this.peer = Objects.requireNonNull(peer, "peer");
    this.tester = Objects.requireNonNull(tester, "tester");
  }

  /** The tester sends {@code message} to the peer. */
  void fromTester(byte[] message) {
    byte[] copy = message.clone();
    timers.after(Duration.ZERO, () -> {
      if (isOpen()) {
        peer.onMessage(copy);
      }
    });
  }

  @Override
  public void startOffer() {
    timers.after(Duration.ZERO, this::opened); // the tester answers at once
  }

  @Override
  public void acceptOffer(String sdp) {
    timers.after(Duration.ZERO, this::opened);
  }

  @Override
  public void acceptAnswer(String sdp) {}

  @Override
  public void addRemoteCandidate(IceCandidate candidate) {}

  private void opened() {
    if (!closed && !open) {
      open = true;
      peer.onOpen();
    }
  }

  @Override
  public boolean send(ByteBuffer message) {
    if (!isOpen()) {
      return false;
    }
    byte[] bytes = new byte[message.remaining()];
    message.duplicate().get(bytes);
    tester.accept(bytes);
    return true;
  }

  @Override
  public boolean writable() {
    return isOpen();
  }

  @Override
  public boolean isOpen() {
    return open && !closed;
  }

  @Override
  public void close(String reason) {
    if (closed) {
      return;
    }
    closed = true;
    peer.onClosed(reason);
  }
}
