package io.p2pcollab.tracker.internal;

import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingCodec;
import io.p2pcollab.core.SignalingConnection;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A socket that records what the Coordinator sends: the host-feeds-frames path, in memory. */
final class RecordingConnection implements SignalingConnection {
  private final InetSocketAddress address;
  final List<String> frames = new ArrayList<>();
  volatile Integer closeCode;

  RecordingConnection(String ip, int port) {
    this.address = new InetSocketAddress(ip, port);
  }

  @Override
  public synchronized boolean send(String frame) {
    frames.add(frame);
    return closeCode == null;
  }

  @Override
  public void close(int code, String reason) {
    if (closeCode == null) {
      closeCode = code;
    }
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return address;
  }

  synchronized List<SignalMessage> messages() {
    return frames.stream().map(SignalingCodec.json()::decode).toList();
  }

  synchronized SignalMessage last() {
    return SignalingCodec.json().decode(frames.get(frames.size() - 1));
  }

  synchronized <T extends SignalMessage> List<T> all(Class<T> type) {
    return messages().stream().filter(type::isInstance).map(type::cast).toList();
  }
}
