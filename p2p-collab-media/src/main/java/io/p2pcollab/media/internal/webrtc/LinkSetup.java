package io.p2pcollab.media.internal.webrtc;

import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceServer;
import io.p2pcollab.core.IceCandidate;
import io.p2pcollab.core.IceServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a {@link PeerLink}'s peer connection is configured, with the loopback workaround
 * (docs/super-peer.md): libwebrtc ignores loopback adapters and drops the wildcard-address
 * candidate, so with {@link IceSettings#allowLoopback()} a link pins its port range to one free UDP
 * port and announces {@code 127.0.0.1:<port>} itself. Stateless.
 */
final class LinkSetup {

  private static final Pattern MID = Pattern.compile("^a=mid:(\\S+)", Pattern.MULTILINE);

  private LinkSetup() {}

  /**
   * The configuration for {@code ice}.
   *
   * @param loopbackPort the port to pin for loopback, or 0 for none
   */
  static RTCConfiguration configuration(IceSettings ice, int loopbackPort) {
    RTCConfiguration config = new RTCConfiguration();
    for (IceServer s : ice.servers()) {
      RTCIceServer server = new RTCIceServer();
      server.urls = new ArrayList<>(s.urls());
      server.username = s.username();
      server.password = s.credential();
      config.iceServers.add(server);
    }
    if (loopbackPort != 0) {
      config.portAllocatorConfig =
          new PortAllocatorConfig(
              loopbackPort,
              loopbackPort,
              PortAllocatorConfig.PORTALLOCATOR_ENABLE_ANY_ADDRESS_PORTS
                  | PortAllocatorConfig.PORTALLOCATOR_DISABLE_TCP);
    }
    return config;
  }

  /** A UDP port free on loopback now. */
  static int freeUdpPort() {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free UDP port on loopback", e);
    }
  }

  /** The host candidate {@code 127.0.0.1:port} for the media section of the local {@code sdp}. */
  static IceCandidate loopbackCandidate(String sdp, int port) {
    Matcher mid = MID.matcher(sdp);
    return new IceCandidate(
        "candidate:1 1 udp 2122260223 127.0.0.1 " + port + " typ host generation 0",
        mid.find() ? mid.group(1) : "0",
        0);
  }
}
