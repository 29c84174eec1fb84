package io.p2pcollab.media.internal.webrtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import io.p2pcollab.core.IceCandidate;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebRTC connection to one remote peer, carrying the single reliable, ordered binary data
 * channel {@value #LABEL} of the peer wire protocol.
 *
 * <p>Lifecycle: created by {@link RtcEngine#newLink}; the {@link Role#OFFERER} calls {@link
 * #startOffer()} and later {@link #acceptAnswer}, the {@link Role#ANSWERER} calls {@link
 * #acceptOffer}. Local SDP and candidates come out through the {@link Listener} for the owner to
 * signal; {@link Listener#onOpen()} says the channel is open; {@link Listener#onClosed} is the
 * terminal event, after which there are no further calls.
 *
 * <p>Threading: every method must be called on the owner's serial {@code executor}, and every
 * listener method is called there. webrtc-java calls back on libwebrtc's threads; those callbacks
 * only copy what they need and enqueue onto the executor.
 *
 * <p>Back-pressure: {@link #send} queues a message; once more than {@link #HIGH_WATER} bytes are
 * buffered, {@link #writable()} turns false, and {@link Listener#onWritable()} fires when the
 * buffer has drained to {@link #LOW_WATER}. webrtc-java 0.14.0 never calls {@code
 * onBufferedAmountChange} (checked), so while paused the link polls the buffered amount every
 * {@link #DRAIN_POLL_MS} ms on the engine's timer thread.
 */
public final class PeerLink implements SignaledLink {

  /** The data channel label of the wire protocol. */
  public static final String LABEL = "p2p-collab";

  /** Stop queueing above this many buffered bytes (1 MiB). */
  public static final long HIGH_WATER = 1L << 20;

  /** Resume queueing at or below this many buffered bytes (256 KiB). */
  public static final long LOW_WATER = 256L << 10;

  /** How often a paused link looks at the buffered amount. */
  static final long DRAIN_POLL_MS = 2;

  private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

  /** Which side of the offer/answer exchange this link plays. */
  public enum Role {
    OFFERER,
    ANSWERER
  }

  /** What the link reports to its owner, always on the owner's executor. */
  public interface Listener {
    /** A local description to signal: {@code type} is {@code "offer"} or {@code "answer"}. */
    void onLocalDescription(String type, String sdp);

    /** A local ICE candidate to signal. */
    void onLocalCandidate(IceCandidate candidate);

    /** The data channel is open: messages can be sent. */
    void onOpen();

    /** A message arrived on the data channel (a private copy). */
    void onMessage(byte[] message);

    /** The send buffer drained to {@link #LOW_WATER} after {@link #writable()} turned false. */
    default void onWritable() {}

    /** Terminal: the link is closed, by either side or by failure. */
    void onClosed(String reason);
  }

  private final String remoteId;
  private final Role role;
  private final Executor executor;
  private final ScheduledExecutorService drainTimer;
  private final Listener listener;
  private final RTCPeerConnection pc;
  private final int loopbackPort;
  private boolean paused;
  /** Where libwebrtc's offer/answer callbacks continue: this link's executor, while it is open. */
  private final SdpSteps.Link steps = new SdpSteps.Link() {
    @Override
    public void later(Runnable task) {
      enqueue(() -> {
        if (!closed) {
          task.run();
        }
      });
    }

    @Override
    public void failLater(String what) {
      enqueue(() -> fail(what));
    }
  };
  private final List<IceCandidate> pendingCandidates = new ArrayList<>();

  private RTCDataChannel channel;
  private boolean remoteDescriptionSet;
  private boolean offered;
  private boolean answered;
  private boolean open;
  private boolean closed;

  PeerLink(
      PeerConnectionFactory factory,
      ScheduledExecutorService drainTimer,
      String remoteId,
      Role role,
      IceSettings ice,
      Executor executor,
      Listener listener) {
    this.remoteId = Objects.requireNonNull(remoteId, "remoteId");
    this.role = Objects.requireNonNull(role, "role");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.drainTimer = drainTimer;
    this.listener = Objects.requireNonNull(listener, "listener");
    // libwebrtc ignores loopback adapters and drops the wildcard-address candidate, so pin the
    // wildcard port to one we know and announce it ourselves (see emitLoopbackCandidate).
    loopbackPort = ice.allowLoopback() ? LinkSetup.freeUdpPort() : 0;
    RTCConfiguration config = LinkSetup.configuration(ice, loopbackPort);
    this.pc = factory.createPeerConnection(config, new ConnectionObserver());
  }

  /** The remote peer's ID (opaque, as signaled). */
  public String remoteId() {
    return remoteId;
  }

  public Role role() {
    return role;
  }

  /** True once the data channel is open and until the link closes. */
  @Override
  public boolean isOpen() {
    return open && !closed;
  }

  public boolean isClosed() {
    return closed;
  }

  /**
   * Offerer: creates the data channel and the offer; the offer comes out through {@link
   * Listener#onLocalDescription}.
   *
   * @throws IllegalStateException if this is not the offerer or it already offered
   */
  @Override
  public void startOffer() {
    if (role != Role.OFFERER || offered) {
      throw new IllegalStateException("startOffer on " + role + (offered ? " (twice)" : ""));
    }
    offered = true;
    if (closed) {
      return;
    }
    RTCDataChannelInit init = new RTCDataChannelInit();
    init.ordered = true;
    adopt(pc.createDataChannel(LABEL, init));
    pc.createOffer(new RTCOfferOptions(), SdpSteps.created(steps, "createOffer", this::setLocal));
  }

  /**
   * Answerer: applies the remote offer and produces an answer through {@link
   * Listener#onLocalDescription}.
   *
   * @throws IllegalStateException if this is not the answerer or it already got an offer
   */
  @Override
  public void acceptOffer(String sdp) {
    Objects.requireNonNull(sdp, "sdp");
    if (role != Role.ANSWERER || answered) {
      throw new IllegalStateException("acceptOffer on " + role + (answered ? " (twice)" : ""));
    }
    answered = true;
    if (closed) {
      return;
    }
    pc.setRemoteDescription(
        new RTCSessionDescription(RTCSdpType.OFFER, sdp),
        SdpSteps.set(steps, "setRemoteDescription(offer)", () -> {
          remoteApplied();
          pc.createAnswer(new RTCAnswerOptions(), SdpSteps.created(steps, "createAnswer", this::setLocal));
        }));
  }

  /**
   * Offerer: applies the remote answer.
   *
   * @throws IllegalStateException if this is not the offerer, it has not offered, or it already
   *     got an answer
   */
  @Override
  public void acceptAnswer(String sdp) {
    Objects.requireNonNull(sdp, "sdp");
    if (role != Role.OFFERER || !offered || answered) {
      throw new IllegalStateException("unexpected answer");
    }
    answered = true;
    if (closed) {
      return;
    }
    pc.setRemoteDescription(
        new RTCSessionDescription(RTCSdpType.ANSWER, sdp),
        SdpSteps.set(steps, "setRemoteDescription(answer)", this::remoteApplied));
  }

  /** Adds a remote candidate; candidates that arrive before the remote description wait. */
  @Override
  public void addRemoteCandidate(IceCandidate candidate) {
    Objects.requireNonNull(candidate, "candidate");
    if (closed || candidate.candidate().isEmpty()) {
      return; // an empty candidate is the browser's end-of-candidates marker
    }
    if (!remoteDescriptionSet) {
      pendingCandidates.add(candidate);
      return;
    }
    pc.addIceCandidate(
        new RTCIceCandidate(candidate.sdpMid(), candidate.sdpMLineIndex(), candidate.candidate()));
  }

  /**
   * Queues one binary message (its remaining bytes). Returns immediately.
   *
   * @return false if the channel is not open (the message is dropped); true if it was queued
   */
  @Override
  public boolean send(ByteBuffer message) {
    if (!isOpen()) {
      return false;
    }
    try {
      channel.send(new RTCDataChannelBuffer(exact(message), true));
    } catch (Exception e) {
      // webrtc-java throws a bare Exception when libwebrtc refuses the message (buffer full, closing)
      close("send failed: " + e.getMessage());
      return false;
    }
    if (!paused && channel.getBufferedAmount() > HIGH_WATER) {
      paused = true;
      scheduleDrainPoll();
    }
    return true;
  }

  /**
   * webrtc-java sends the whole backing array of a heap buffer, ignoring position and limit, so
   * anything but a buffer over exactly one whole array is copied into one.
   */
  private static ByteBuffer exact(ByteBuffer message) {
    if (message.hasArray()
        && message.arrayOffset() == 0
        && message.position() == 0
        && message.remaining() == message.array().length) {
      return message;
    }
    byte[] copy = new byte[message.remaining()];
    message.duplicate().get(copy);
    return ByteBuffer.wrap(copy);
  }

  /** Sends a text message, which the wire protocol forbids: lets tests play a broken peer. */
  void sendTextForTest(String text) throws Exception {
    channel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), false));
  }

  /** Whether the owner may queue more: false while more than {@link #HIGH_WATER} is buffered. */
  @Override
  public boolean writable() {
    return isOpen() && !paused;
  }

  /** Bytes queued on the data channel and not yet sent. */
  @Override
  public long bufferedAmount() {
    return isOpen() ? channel.getBufferedAmount() : 0;
  }

  /** Closes the connection; {@link Listener#onClosed} fires once. Idempotent. */
  @Override
  public void close(String reason) {
    if (closed) {
      return;
    }
    closed = true;
    open = false;
    pendingCandidates.clear();
    if (channel != null) {
      channel.unregisterObserver();
      channel.close();
      channel.dispose();
      channel = null;
    }
    pc.close();
    log.debug("link to {} closed: {}", remoteId, reason);
    listener.onClosed(reason);
  }

  private void setLocal(RTCSessionDescription description) {
    pc.setLocalDescription(description, SdpSteps.set(steps, "setLocalDescription", () -> {
      String type = description.sdpType == RTCSdpType.OFFER ? "offer" : "answer";
      listener.onLocalDescription(type, description.sdp);
      emitLoopbackCandidate(description.sdp);
    }));
  }

  private void remoteApplied() {
    remoteDescriptionSet = true;
    List<IceCandidate> pending = new ArrayList<>(pendingCandidates);
    pendingCandidates.clear();
    pending.forEach(this::addRemoteCandidate);
  }

  private void emitLoopbackCandidate(String sdp) {
    if (loopbackPort == 0 || closed) {
      return;
    }
    listener.onLocalCandidate(LinkSetup.loopbackCandidate(sdp, loopbackPort));
  }

  private void adopt(RTCDataChannel dc) {
    channel = dc;
    dc.registerObserver(new ChannelObserver(dc));
  }

  private void onChannelState(RTCDataChannelState state) {
    if (closed) {
      return;
    }
    if (state == RTCDataChannelState.OPEN && !open) {
      open = true;
      listener.onOpen();
    } else if (state == RTCDataChannelState.CLOSING || state == RTCDataChannelState.CLOSED) {
      close("data channel " + state.name().toLowerCase());
    }
  }

  /**
   * On the owner's executor, {@link #DRAIN_POLL_MS} after the last look: resume the owner once
   * the buffer has drained. The timer thread only enqueues, so native calls never race close().
   */
  private void pollDrain() {
    if (closed || !paused) {
      return;
    }
    if (channel.getBufferedAmount() <= LOW_WATER) {
      paused = false;
      listener.onWritable();
    } else {
      scheduleDrainPoll();
    }
  }

  private void scheduleDrainPoll() {
    try {
      drainTimer.schedule(() -> enqueue(this::pollDrain), DRAIN_POLL_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("drain timer gone; link to {} stays paused", remoteId);
    }
  }

  private void fail(String what) {
    if (!closed) {
      log.debug("link to {} failed: {}", remoteId, what);
      close(what);
    }
  }

  /** From a libwebrtc thread onto the owner's executor; dropped once the owner has shut down. */
  private void enqueue(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("dropped a webrtc callback for {}: executor shut down", remoteId);
    }
  }

  private final class ConnectionObserver implements PeerConnectionObserver {
    @Override
    public void onIceCandidate(RTCIceCandidate c) {
      IceCandidate candidate = new IceCandidate(c.sdp, c.sdpMid, Math.max(0, c.sdpMLineIndex));
      enqueue(
          () -> {
            if (!closed) {
              listener.onLocalCandidate(candidate);
            }
          });
    }

    @Override
    public void onConnectionChange(RTCPeerConnectionState state) {
      if (state == RTCPeerConnectionState.FAILED) {
        enqueue(() -> fail("connection failed"));
      } else if (state == RTCPeerConnectionState.CLOSED) {
        enqueue(() -> fail("connection closed"));
      }
    }

    @Override
    public void onDataChannel(RTCDataChannel dc) {
      // register at once, so no message can arrive before someone listens
      boolean wanted = role == Role.ANSWERER && LABEL.equals(dc.getLabel());
      if (wanted) {
        dc.registerObserver(new ChannelObserver(dc));
      }
      enqueue(
          () -> {
            if (!wanted || channel != null || closed) {
              dc.unregisterObserver();
              dc.close();
              dc.dispose();
              return;
            }
            channel = dc;
            RTCDataChannelState state = dc.getState();
            if (state == RTCDataChannelState.OPEN) {
              onChannelState(state);
            }
          });
    }
  }

  private final class ChannelObserver implements RTCDataChannelObserver {
    private final RTCDataChannel dc;

    ChannelObserver(RTCDataChannel dc) {
      this.dc = dc;
    }

    @Override
    public void onStateChange() {
      RTCDataChannelState state = dc.getState();
      enqueue(
          () -> {
            if (channel == dc) {
              onChannelState(state);
            }
          });
    }

    @Override
    public void onMessage(RTCDataChannelBuffer buffer) {
      // the buffer is native memory, valid only during this call
      byte[] copy = new byte[buffer.data.remaining()];
      buffer.data.get(copy);
      boolean binary = buffer.binary;
      enqueue(
          () -> {
            if (channel != dc || closed) {
              return;
            }
            if (!binary) {
              close("text message on a binary channel");
              return;
            }
            listener.onMessage(copy);
          });
    }

    @Override
    public void onBufferedAmountChange(long previousAmount) {
      // not called by webrtc-java 0.14.0; see pollDrain
    }
  }
}
