package io.p2pcollab.examples;

import com.google.gson.JsonObject;
import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.examples.gate.HttpGate;
import io.p2pcollab.media.MediaServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The reference server's counters, in two views. {@link #publicJson} ({@code /stats.json}, what the
 * benchmarks and tests read) is aggregate only: counts and bytes, never a stream ID or a peer ID,
 * because anyone can fetch it. {@link #operatorJson} ({@code /operator/stats.json}, behind the
 * operator key) adds each contributed stream, live or ended, and the HTTP gate's counters.
 *
 * <p>Threading: safe for the HTTP workers; everything it reads is thread-safe.
 */
final class ServerStats {

  private final String stream;
  private final MediaServer media;
  private final SuperPeer superPeer;
  private final Supplier<Coordinator> coordinator;
  private final Set<String> contributedSeen;
  private final Supplier<HttpGate> gate;
  private final EgressMeter egress;
  private final LongSupplier signalingBytes;

  ServerStats(String stream, MediaServer media, SuperPeer superPeer, Supplier<Coordinator> coordinator,
      Set<String> contributedSeen, Supplier<HttpGate> gate, EgressMeter egress, LongSupplier signalingBytes) {
    this.stream = stream;
    this.media = media;
    this.superPeer = superPeer;
    this.coordinator = coordinator;
    this.contributedSeen = contributedSeen;
    this.gate = gate;
    this.egress = egress;
    this.signalingBytes = signalingBytes;
  }

  /**
   * Origin egress (everything sent, by kind; and the older HTTP media bytes and super-peer bytes),
   * bitrate, swarm and contribution counts.
   */
  byte[] publicJson() {
    JsonObject o = main();
    long segments = 0;
    long bytes = 0;
    for (String id : contributedSeen) {
      segments += media.segmentsStored(id);
      bytes += media.stats(id).httpBytesServed();
    }
    o.addProperty("contributionsLive", media.contributedStreams().size());
    o.addProperty("contributedStreams", contributedSeen.size());
    o.addProperty("contributedSegmentsStored", segments);
    o.addProperty("contributedHttpMediaBytes", bytes);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The public figures, and per contributed stream its segments stored, HTTP bytes and liveness. */
  JsonObject operatorJson() {
    JsonObject o = main();
    JsonObject contributed = new JsonObject();
    for (String id : contributedSeen) {
      JsonObject c = new JsonObject();
      c.addProperty("segmentsStored", media.segmentsStored(id));
      c.addProperty("httpMediaBytes", media.stats(id).httpBytesServed());
      c.addProperty("live", media.contributedStreams().contains(id));
      contributed.add(id, c);
    }
    o.add("contributions", contributed);
    HttpGate g = gate.get();
    if (g != null) {
      JsonObject http = new JsonObject();
      http.addProperty("connections", g.connections());
      http.addProperty("refusedAtAccept", g.refused());
      o.add("http", http);
    }
    return o;
  }

  private JsonObject main() {
    var m = media.stats(stream);
    var s = superPeer.stats();
    Coordinator c = coordinator.get();
    JsonObject o = new JsonObject();
    o.addProperty("newestSegment", m.newest());
    o.addProperty("streamBitrateBps", m.bitrateBps());
    o.addProperty("httpMediaBytes", m.httpBytesServed());
    o.addProperty("superPeerBytes", s.bytesServed());
    o.addProperty("superPeerConnected", s.connectedPeers());
    o.addProperty("registeredPeers", c.registeredPeers());
    o.addProperty("sources", c.tracker().sources().getOrDefault(stream, List.of()).size());
    // Everything the origin sent, by kind (docs/benchmarks.md): HTTP responses with their headers,
    // the super-peer's segment bytes, signaling frames. Aggregate over every stream.
    JsonObject sent = egress.json();
    sent.addProperty("superPeer", s.bytesServed());
    sent.addProperty("signaling", signalingBytes.getAsLong());
    o.add("originBytesByKind", sent);
    return o;
  }
}
