package io.p2pcollab.media.internal.webrtc;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import java.util.stream.Collectors;

/** Guards tests that open WebRTC connections: peer traffic must never leave loopback. */
public final class LoopbackOnly {

  private LoopbackOnly() {}

  /** Skips the calling test unless every network interface that is up is a loopback one. */
  public static void assumeLoopbackOnlyNetwork() {
    List<String> others;
    try {
      others =
          NetworkInterface.networkInterfaces()
              .filter(LoopbackOnly::upAndNotLoopback)
              .map(NetworkInterface::getName)
              .collect(Collectors.toList());
    } catch (SocketException e) {
      throw new IllegalStateException("cannot list network interfaces", e);
    }
    assumeTrue(
        others.isEmpty(),
        "skipped: WebRTC tests run only in a loopback-only network, but "
            + others
            + " is up; run them with .ci/netns-run (e.g. `.ci/netns-run mvn -o verify`)");
  }

  private static boolean upAndNotLoopback(NetworkInterface nif) {
    try {
      return nif.isUp() && !nif.isLoopback();
    } catch (SocketException e) {
      return true;
    }
  }
}
