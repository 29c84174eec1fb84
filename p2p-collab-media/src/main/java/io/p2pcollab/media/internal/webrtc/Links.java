package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerId;
import java.util.concurrent.Executor;

/**
 * Where an owner's links come from: WebRTC through an {@link RtcEngine}, or fakes in tests (the
 * conformance runner drives a super-peer's and a viewer's links this way, on a manual clock).
 */
@FunctionalInterface
interface Links {

  /**
   * A new link to {@code remote} playing {@code role}; its {@code listener} is called on the
   * owner's executor.
   */
  SignaledLink open(PeerId remote, PeerLink.Role role, PeerLink.Listener listener);

  /** Links over WebRTC, with {@code ice}, reporting on {@code executor}. */
  static Links webrtc(RtcEngine engine, IceSettings ice, Executor executor) {
    return (remote, role, listener) -> engine.newLink(remote.value(), role, ice, executor, listener);
  }
}
