package io.p2pcollab.tracker.internal;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingCodec;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thesis Table 4.1 and the way out: every open socket, the registered ones by peer ID, and sending
 * to them. Shared by the Coordinator's parts.
 *
 * <p>Threading: the Coordinator's thread only, except {@link #registeredCount()} (any thread).
 */
final class Sessions {

  private final SignalingCodec codec = SignalingCodec.json();
  private final Clock clock;
  private final Set<PeerSession> open = new LinkedHashSet<>();
  private final Map<PeerId, PeerSession> registered = new ConcurrentHashMap<>();

  Sessions(Clock clock) {
    this.clock = clock;
  }

  Instant now() {
    return clock.instant();
  }

  void add(PeerSession s) {
    open.add(s);
  }

  boolean isOpen(PeerSession s) {
    return open.contains(s);
  }

  /** Removes {@code s}; false if it was gone already. */
  boolean remove(PeerSession s) {
    if (!open.remove(s)) {
      return false;
    }
    if (s.peerId != null) {
      registered.remove(s.peerId);
    }
    return true;
  }

  void register(PeerSession s, PeerId id) {
    s.peerId = id;
    registered.put(id, s);
  }

  boolean isRegistered(PeerId id) {
    return registered.containsKey(id);
  }

  /** The registered session of {@code id}, or null. */
  PeerSession get(PeerId id) {
    return id == null ? null : registered.get(id);
  }

  /** A snapshot of every open socket, registered or not. */
  List<PeerSession> all() {
    return List.copyOf(open);
  }

  /** The registered super-peers, in the order they connected. */
  List<PeerSession> superPeers() {
    return open.stream().filter(s -> s.superPeer && s.registered()).toList();
  }

  int registeredCount() {
    return registered.size();
  }

  void clear() {
    open.clear();
    registered.clear();
  }

  String encode(SignalMessage m) {
    return codec.encode(m);
  }

  SignalMessage decode(String frame) {
    return codec.decode(frame);
  }

  void send(PeerSession s, SignalMessage m) {
    s.connection.send(codec.encode(m));
  }

  void refuse(PeerSession s, ErrorCode code, String message, String ref) {
    send(s, new SignalMessage.Error(code, message, ref));
  }

  /** Sends {@code frame} to every registered peer. */
  void broadcast(String frame) {
    for (PeerSession s : open) {
      if (s.registered()) {
        s.connection.send(frame);
      }
    }
  }
}
