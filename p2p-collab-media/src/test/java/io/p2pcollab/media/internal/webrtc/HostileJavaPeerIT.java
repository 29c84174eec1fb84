package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.sun.net.httpserver.HttpServer;
import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.tracker.PeerReport;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentSigner;
import io.p2pcollab.core.SegmentSource;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.media.LiveSource;
import io.p2pcollab.media.MediaServer;
import io.p2pcollab.media.SuperPeers;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 3's acceptance with Java peers, all real: ffmpeg into the Media Server, which signs every
 * segment and serves them over HTTP; the Coordinator behind the WebSocket server, announcing the
 * stream with its public key; webrtc-java super-peers and viewers on loopback.
 *
 * <p>Statements travel with segments (docs/protocol.md §2.7): the honest super-peer answers every
 * REQUEST with the Media Server's STATEMENT before the DATA, the origin sends it in the {@code
 * P2P-Collab-Statement} header, and no viewer ever reads {@code signatures.json}.
 *
 * <p>One super-peer is hostile: it announces a segment the Media Server never published and
 * answers it with a statement signed by a key of its own, and serves forged segments (the genuine
 * statement, but the genuine bytes with more appended) to the second viewer. Each viewer cuts it
 * at its first bad answer — the first at the forged STATEMENT, before any DATA; the second at the
 * first chunk, which announces more bytes than the signed length — reports it (the host hears it;
 * a super-peer is never banned by viewers), never hands out a byte the Media Server did not
 * publish, and gets every segment from the honest super-peer or over HTTP.
 */
class HostileJavaPeerIT {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private MediaServer media;
  private HttpServer http;
  private RealSignaling signaling;
  private SuperPeer honest;
  private SuperPeer hostile;
  private WebRtcViewer first;
  private WebRtcViewer second;
  /** The paths the viewers asked the origin for. */
  private final List<String> originPaths = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    for (AutoCloseable c : new AutoCloseable[] {first, second, honest, hostile, signaling, media}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // best effort
        }
      }
    }
    if (http != null) {
      http.stop(0);
    }
  }

  @Test
  void hostileSuperPeer_isCutAtItsFirstBadSegment_andReportedToTheHost_andViewersGetOnlyPublishedBytes() throws Exception {
    LoopbackOnly.assumeLoopbackOnlyNetwork();
    StreamInfo main = startMediaServer();
    assertThat(main.isSigned()).isTrue();
    signaling = new RealSignaling(2, main); // the default: two distinct reporters ban a peer
    SegmentSource published = media.segments();
    List<SegmentRef> refs = awaitSegments(published);
    URI origin = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/");
    SuperPeerConfig config = SuperPeerConfig.builder("main").allowLoopback(true).token(RealSignaling.SUPER_PEER_TOKEN).build();

    SegmentRef phantom = new SegmentRef("main", "0", 99_999); // never published, yet announced
    AtomicReference<UnaryOperator<byte[]>> tamper = new AtomicReference<>(UnaryOperator.identity());
    Tampering tampering = new Tampering(published, phantom, tamper);
    hostile = SuperPeers.create(config, tampering, signaling.transport());
    PeerId hostileId = hostile.start().get(10, TimeUnit.SECONDS);
    await("the hostile peer is a source", () -> sources().contains(hostileId));

    // The first viewer meets only the hostile peer.
    first = new WebRtcViewer(signaling.transport(), origin, true, 4);
    first.start().get(10, TimeUnit.SECONDS);
    assertThat(first.join("main").get(10, TimeUnit.SECONDS).stream().publicKey()).isEqualTo(main.publicKey());
    await("the hostile peer's HAVE", () -> announced(first, hostileId).contains(phantom));

    assertThatThrownBy(() -> first.load(phantom, WAIT).get(20, TimeUnit.SECONDS))
        .as("its statement is forged, and the origin never published it")
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(WebRtcViewer.FetchException.class);
    assertThat(first.blocked().get(5, TimeUnit.SECONDS)).containsExactly(Map.entry(hostileId, "bad-segment"));
    assertThat(tampering.asked.get()).as("asked once, cut at its STATEMENT").isEqualTo(1);

    WebRtcViewer.Loaded viaOrigin = first.load(refs.get(0), WAIT).get(20, TimeUnit.SECONDS);
    assertPublished(published, refs.get(0), viaOrigin.bytes());
    assertThat(viaOrigin.from()).as("its only neighbour was cut: over HTTP, statement header checked").isNull();
    assertThat(tampering.asked.get()).isEqualTo(1);

    // An honest super-peer comes; the first viewer takes the rest from it, never the hostile one again.
    honest = SuperPeers.create(config, published, signaling.transport());
    PeerId honestId = honest.start().get(10, TimeUnit.SECONDS);
    await("the honest peer is a source", () -> sources().contains(honestId));
    first.requestPeers("main");
    await("the honest peer's HAVE", () -> announced(first, honestId).containsAll(refs));
    for (SegmentRef ref : refs.subList(1, refs.size())) {
      WebRtcViewer.Loaded got = first.load(ref, WAIT).get(20, TimeUnit.SECONDS);
      assertPublished(published, ref, got.bytes());
      assertThat(got.from()).isEqualTo(honestId);
    }
    assertThat(tampering.asked.get()).isEqualTo(1);
    assertThat(sources()).as("one report does not ban").contains(hostileId);

    // The honest peer leaves; the hostile one now forges. The second viewer meets only it.
    honest.close();
    await("the honest peer is gone", () -> !sources().contains(honestId));
    tamper.set(HostileJavaPeerIT::forge);
    second = new WebRtcViewer(signaling.transport(), origin, true, 4);
    second.start().get(10, TimeUnit.SECONDS);
    second.join("main").get(10, TimeUnit.SECONDS);
    await("the hostile peer's HAVE", () -> announced(second, hostileId).containsAll(refs));
    for (SegmentRef ref : refs) {
      WebRtcViewer.Loaded got = second.load(ref, WAIT).get(20, TimeUnit.SECONDS);
      assertPublished(published, ref, got.bytes());
      assertThat(got.from()).isNull();
    }
    assertThat(second.blocked().get(5, TimeUnit.SECONDS))
        .as("refused at the first chunk: it announced more bytes than the signed length")
        .containsExactly(Map.entry(hostileId, "wrong-length"));
    assertThat(tampering.asked.get()).as("asked once by each viewer").isEqualTo(2);

    // It registered as a super-peer: viewers cut and block it for their visit, and their reports
    // reach the host, but never ban it (else two scripted visitors could cut the operator's own).
    await("both reports reach the host", () -> signaling.reports.size() == 2);
    assertThat(signaling.reports)
        .extracting(PeerReport::reported, PeerReport::reason, PeerReport::outcome)
        .containsExactlyInAnyOrder(
            tuple(hostileId, "bad-segment", PeerReport.Outcome.AGAINST_SUPER_PEER),
            tuple(hostileId, "wrong-length", PeerReport.Outcome.AGAINST_SUPER_PEER));
    assertThat(sources()).as("never banned by viewers").contains(hostileId);
    assertThat(originPaths).as("segments over HTTP, never a list of statements")
        .hasSize(1 + 1 + refs.size()).allMatch(p -> p.endsWith(".m4s"));
    System.out.printf("HostileJavaPeerIT: %d segments (%d bytes) per viewer, hostile peer asked %d times%n",
        refs.size(), refs.stream().mapToLong(r -> published.segment(r).orElseThrow().length).sum(), tampering.asked.get());
  }

  /** Compared by digest: a failure should not print 40 KB of bytes. */
  private static void assertPublished(SegmentSource published, SegmentRef ref, byte[] got) {
    byte[] want = published.segment(ref).orElseThrow();
    assertThat(Hashes.sha256Hex(got) + " / " + got.length + " bytes")
        .as("only the published bytes of %s are handed out", ref)
        .isEqualTo(Hashes.sha256Hex(want) + " / " + want.length + " bytes");
  }

  /** The genuine bytes and then some: a perfectly good SHA-256 of its own, but nobody signed it. */
  private static byte[] forge(byte[] genuine) {
    byte[] b = Arrays.copyOf(genuine, genuine.length + 1000);
    for (int i = genuine.length; i < b.length; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  /**
   * The Media Server's segments, tampered with, each with its genuine statement; plus one it never
   * published, with a statement signed by a key of the hostile peer's own.
   */
  private static final class Tampering implements SegmentSource {
    private static final SegmentSigner OWN_KEY = SegmentSigner.generate();
    private static final byte[] PHANTOM_BYTES = new byte[5000];

    final SegmentSource genuine;
    final SegmentRef phantom;
    final AtomicReference<UnaryOperator<byte[]>> tamper;
    final AtomicInteger asked = new AtomicInteger();

    Tampering(SegmentSource genuine, SegmentRef phantom, AtomicReference<UnaryOperator<byte[]>> tamper) {
      this.genuine = genuine;
      this.phantom = phantom;
      this.tamper = tamper;
    }

    @Override
    public Optional<byte[]> segment(SegmentRef ref) {
      asked.incrementAndGet();
      return ref.equals(phantom) ? Optional.of(PHANTOM_BYTES) : genuine.segment(ref).map(tamper.get());
    }

    @Override
    public Optional<SegmentSignature> statement(SegmentRef ref) {
      return ref.equals(phantom) ? Optional.of(OWN_KEY.sign(ref, PHANTOM_BYTES)) : genuine.statement(ref);
    }

    @Override
    public List<SegmentRef> window(String stream) {
      return Stream.concat(genuine.window(stream).stream(), Stream.of(phantom)).toList();
    }

    @Override
    public AutoCloseable onSegment(Consumer<SegmentRef> listener) {
      return genuine.onSegment(listener);
    }
  }

  private StreamInfo startMediaServer() throws Exception {
    LiveSource small = LiveSource.builder("main")
        .input(List.of("-re", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=15",
            "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"))
        .videoBitrate("200k")
        .windowSegments(60)
        .build();
    media = MediaServer.create(List.of(small));
    CompletableFuture<StreamInfo> started = new CompletableFuture<>();
    media.onStreamStarted(started::complete);
    media.start();
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/live/", exchange -> {
      originPaths.add(exchange.getRequestURI().getPath());
      media.httpHandler().handle(exchange);
    });
    http.start();
    return started.get(20, TimeUnit.SECONDS);
  }

  /** Both init segments and media segments 1–3 of both tracks, once published. */
  private static List<SegmentRef> awaitSegments(SegmentSource published) throws InterruptedException {
    List<SegmentRef> want = new ArrayList<>();
    for (String track : List.of("0", "1")) {
      want.add(SegmentRef.init("main", track));
    }
    for (long n = 1; n <= 3; n++) {
      for (String track : List.of("0", "1")) {
        want.add(new SegmentRef("main", track, n));
      }
    }
    await("ffmpeg published " + want, () -> published.window("main").containsAll(want));
    want.sort(Comparator.comparing(SegmentRef::isInit).reversed()); // stable: inits first, as listed
    return want;
  }

  private List<PeerId> sources() {
    return signaling.coordinator.tracker().sources().getOrDefault("main", List.of());
  }

  private static Set<SegmentRef> announced(WebRtcViewer v, PeerId peer) {
    try {
      return v.announced(peer, "main").get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Polls {@code condition} for up to 20 s: things travel over sockets and data channels. */
  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 20 s for: " + what);
      }
      Thread.sleep(20);
    }
  }
}
