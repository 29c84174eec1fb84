package io.p2pcollab.tracker;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.tracker.internal.StandardCoordinator;

/**
 * Builds the in-memory {@link Coordinator} (with its {@link io.p2pcollab.core.Tracker}), for a
 * single node.
 *
 * <pre>{@code
 * Coordinator coordinator = Coordinators.create(CoordinatorConfig.builder().build());
 * coordinator.addStream(StreamInfo.standard("main"));
 * coordinator.start();
 * WebSocketSignalingServer.create(coordinator, new InetSocketAddress(8081)).start();
 * }</pre>
 */
public final class Coordinators {

  private Coordinators() {}

  /** A new Coordinator (state {@code NEW}); it owns one daemon thread from start to close. */
  public static Coordinator create(CoordinatorConfig config) {
    return new StandardCoordinator(config);
  }
}
