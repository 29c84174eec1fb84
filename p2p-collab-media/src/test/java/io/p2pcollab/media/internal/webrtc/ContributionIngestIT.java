package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.IceCandidate;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentVerifier;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingChannel;
import io.p2pcollab.core.SignalingCodec;
import io.p2pcollab.core.SignalingTransport;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.media.SuperPeers;
import io.p2pcollab.media.internal.ContributedStreams;
import io.p2pcollab.media.internal.SegmentStore;
import io.p2pcollab.media.testing.RecordedContribution;
import io.p2pcollab.tracker.ContributorTokens;
import io.p2pcollab.tracker.CoordinatorConfig;
import io.p2pcollab.tracker.Coordinators;
import io.p2pcollab.tracker.WebSocketSignalingServer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contribution path with Java peers over real webrtc-java, through the real Coordinator behind
 * the real WebSocket server: a contributor with a token pushes a real browser recording to the
 * super-peer, which stores it in the Media Server's ingest only while the grant stands; the stream
 * is announced, a Java viewer fetches its segments from the super-peer and verifies them against
 * the stream's signatures; after the revocation nothing more is stored. A contributor that pushes
 * faster than its stream's caps is cut: refused, its stream ended, and the Coordinator told.
 */
class ContributionIngestIT {

  private static final String ROOM = "room-1";
  private static final String SECRET = "it-secret";

  private final ContributorTokens tokens = ContributorTokens.hmacSha256(
      "thirty-two bytes of token secret!".getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), Duration.ofSeconds(5));
  private final SegmentStore store = new SegmentStore();
  private final RecordedContribution rec = RecordedContribution.load();
  private final ScheduledExecutorService contributorThread = Executors.newSingleThreadScheduledExecutor();
  private Coordinator coordinator;
  private WebSocketSignalingServer server;
  private SuperPeer superPeer;
  private WebRtcViewer viewer;
  private RtcEngine engine;
  private PeerLink upload;
  private SignalingClient contributor;
  private final BlockingQueue<SignalMessage> signals = new LinkedBlockingQueue<>();
  private final BlockingQueue<WireMessage.Ack> acks = new LinkedBlockingQueue<>();
  /** Every frame the super-peer sent the Coordinator. */
  private final ConcurrentLinkedQueue<String> superPeerSent = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void setUp() throws Exception {
    LoopbackOnly.assumeLoopbackOnlyNetwork();
    coordinator = Coordinators.create(CoordinatorConfig.builder()
        .superPeerToken(SECRET).room(ROOM).contributorTokens(tokens).build());
    coordinator.addStream(StreamInfo.standard("main"));
    coordinator.start();
    server = WebSocketSignalingServer.create(coordinator, new InetSocketAddress("127.0.0.1", 0));
    server.start();
    ContributedStreams ingest =
        new ContributedStreams(store, Clock.systemUTC(), "main"::equals, coordinator::addStream, coordinator::removeStream);
    superPeer = SuperPeers.create(
        SuperPeerConfig.builder("main").allowLoopback(true).token(SECRET).build(),
        store, ingest, recorded(SuperPeers.webSocketSignaling(server.uri())));
    superPeer.start().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (upload != null || contributor != null) {
      contributorThread.submit(() -> {
        if (upload != null) {
          upload.close("test over");
        }
        if (contributor != null) {
          contributor.close();
        }
      }).get(5, TimeUnit.SECONDS);
    }
    contributorThread.shutdownNow();
    if (engine != null) {
      engine.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {viewer, superPeer, server, coordinator}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void aGrantedContributor_isIngested_announced_andServed_untilItsGrantIsRevoked() throws Exception {
    PeerId ingestPeer = goLive("cam-java");

    push(SegmentRef.INIT, rec.init);
    for (int i = 0; i < rec.segments.size(); i++) {
      push(i + 1, rec.segments.get(i));
    }
    for (long n : new long[] {SegmentRef.INIT, 1, 2, 3}) {
      WireMessage.Ack a = acks.poll(10, TimeUnit.SECONDS);
      assertThat(a).isEqualTo(WireMessage.Ack.stored(n));
    }
    assertThat(store.counts("cam-java")[1]).isEqualTo(3);

    // Announced like any stream, and served by the super-peer: a Java viewer verifies what it gets.
    StreamInfo info = coordinator.streams().stream().filter(s -> s.id().equals("cam-java")).findFirst().orElseThrow();
    assertThat(info.isSigned()).isTrue();
    Map<SegmentRef, SegmentSignature> signed = SegmentVerifier.forPublicKey(info.publicKey())
        .verifyAll("cam-java", new String(store.signaturesJson("cam-java").orElseThrow(), StandardCharsets.UTF_8)).trusted();
    long announced = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!coordinator.tracker().sources().getOrDefault("cam-java", List.of()).contains(ingestPeer)
        && System.nanoTime() < announced) {
      Thread.sleep(20); // the super-peer's state report, listing the new stream, is on its way
    }
    viewer = new WebRtcViewer(SuperPeers.webSocketSignaling(server.uri()), true, 2);
    viewer.start().get(10, TimeUnit.SECONDS);
    assertThat(viewer.join("cam-java").get(10, TimeUnit.SECONDS).peers()).extracting(p -> p.id()).contains(ingestPeer);
    SegmentRef two = new SegmentRef("cam-java", "0", 2);
    assertThat(viewer.fetch(two, signed.get(two), Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS))
        .isEqualTo(rec.segments.get(1));

    // Revoked: the contributor is told, the stream is gone, and a further push stores nothing.
    assertThat(coordinator.revokeContribution("cam-java")).isTrue();
    assertThat(next(signals, SignalMessage.Contribution.class).status()).isEqualTo(SignalMessage.ContributionStatus.REVOKED);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!new String(store.manifest("cam-java").orElseThrow(), StandardCharsets.UTF_8).contains("type=\"static\"")
        && System.nanoTime() < deadline) {
      Thread.sleep(20); // the super-peer hears of the revocation over its own WebSocket: the stream ends
    }
    push(4, rec.segments.get(0));
    WireMessage.Ack refused = acks.poll(10, TimeUnit.SECONDS);
    assertThat(refused).isNotNull();
    assertThat(refused.code()).as("refused for want of a grant, before its bytes are even looked at")
        .isEqualTo(WireMessage.Error.FORBIDDEN);
    assertThat(store.counts("cam-java")[1]).isEqualTo(3);
    assertThat(coordinator.streams()).extracting(StreamInfo::id).containsExactly("main");
    assertThat(new String(store.manifest("cam-java").orElseThrow(), StandardCharsets.UTF_8)).contains("type=\"static\"");
  }

  @Test
  void aContributorPushingFasterThanItsCaps_isCut_itsStreamEnds_andTheCoordinatorIsTold() throws Exception {
    PeerId contributorId = connectContributor();
    PeerId ingestPeer = goLive("cam-fast");
    assertThat(ingestPeer).isNotEqualTo(contributorId);

    // The default caps: 16 segments within 4 s. Segments resent in a loop are stored once and
    // acknowledged again, so only the rate breaks the rules here.
    push(SegmentRef.INIT, rec.init);
    for (int n = 0; n < 18; n++) {
      push(n % 3 + 1, rec.segments.get(n % 3));
    }
    for (int i = 0; i < 16; i++) {
      WireMessage.Ack a = acks.poll(10, TimeUnit.SECONDS);
      assertThat(a).as("ack %d", i).isNotNull();
      assertThat(a.isStored()).as("ack %d: %s", i, a).isTrue();
    }
    WireMessage.Ack cut = acks.poll(10, TimeUnit.SECONDS);
    assertThat(cut).isNotNull();
    assertThat(cut.code()).isEqualTo(WireMessage.Error.FORBIDDEN);
    assertThat(cut.message()).startsWith("too-fast: over 4 segments/s");
    WireMessage.Ack after = acks.poll(10, TimeUnit.SECONDS);
    assertThat(after).as("the next push meets no grant").isNotNull();
    assertThat(after.message()).isEqualTo("no contribution grant");

    awaitCondition("the stream ended at the Media Server",
        () -> new String(store.manifest("cam-fast").orElseThrow(), StandardCharsets.UTF_8).contains("type=\"static\""));
    assertThat(store.counts("cam-fast")[1]).isEqualTo(3);
    SignalMessage.Contribution told = new SignalMessage.Contribution(
        "cam-fast", SignalMessage.ContributionStatus.REVOKED, contributorId, null, "too-fast");
    awaitCondition("the Coordinator is told: " + told, () -> superPeerSent.stream()
        .map(SignalingCodec.json()::decode).anyMatch(told::equals));
  }

  /** Registers the contributor; returns its peer ID. */
  private PeerId connectContributor() throws Exception {
    if (contributor != null) {
      return contributorId;
    }
    contributorThread.submit(() -> {
      contributor = new SignalingClient(SuperPeers.webSocketSignaling(server.uri()), SignalMessage.Hello.viewer(),
          contributorThread, new SignalingClient.Handler() {
            @Override
            public void onMessage(SignalMessage m) {
              if (m instanceof SignalMessage.Signal s && upload != null) {
                if (s.kind() == SignalMessage.SignalKind.ANSWER) {
                  upload.acceptAnswer(s.sdp());
                } else if (s.kind() == SignalMessage.SignalKind.CANDIDATE) {
                  upload.addRemoteCandidate(s.candidate());
                }
              } else {
                signals.add(m);
              }
            }

            @Override
            public void onDisconnected(String reason) {}
          }, Duration.ofSeconds(1));
      contributor.connect();
    }).get(5, TimeUnit.SECONDS);
    contributorId = next(signals, SignalMessage.Welcome.class).peerId();
    return contributorId;
  }

  private PeerId contributorId;

  /** Goes live as {@code stream} with a token and opens the upload channel; returns the ingesting super-peer. */
  private PeerId goLive(String stream) throws Exception {
    connectContributor();
    send(new SignalMessage.Contribute(stream, tokens.issue(ROOM, stream, "it")));
    SignalMessage.Contribution granted = next(signals, SignalMessage.Contribution.class);
    assertThat(granted.status()).isEqualTo(SignalMessage.ContributionStatus.GRANTED);
    PeerId ingestPeer = granted.uploadTo();
    CompletableFuture<Void> open = new CompletableFuture<>();
    engine = RtcEngine.acquire();
    contributorThread.submit(() -> {
      upload = engine.newLink(ingestPeer.value(), PeerLink.Role.OFFERER, IceSettings.loopback(), contributorThread,
          new PeerLink.Listener() {
            @Override
            public void onLocalDescription(String type, String sdp) {
              contributor.send(SignalMessage.Signal.sdp(ingestPeer, SignalMessage.SignalKind.OFFER, sdp));
            }

            @Override
            public void onLocalCandidate(IceCandidate candidate) {
              contributor.send(SignalMessage.Signal.candidate(ingestPeer, candidate));
            }

            @Override
            public void onOpen() {
              open.complete(null);
            }

            @Override
            public void onMessage(byte[] message) {
              if (WireCodec.binary().decode(ByteBuffer.wrap(message)) instanceof WireMessage.Ack a) {
                acks.add(a);
              }
            }

            @Override
            public void onClosed(String reason) {}
          });
      upload.startOffer();
    }).get(5, TimeUnit.SECONDS);
    open.get(10, TimeUnit.SECONDS);
    return ingestPeer;
  }

  /** {@code transport}, recording every frame sent through it. */
  private SignalingTransport recorded(SignalingTransport transport) {
    return listener -> transport.open(listener).thenApply(channel -> new SignalingChannel() {
      @Override
      public boolean send(String frame) {
        superPeerSent.add(frame);
        return channel.send(frame);
      }

      @Override
      public void close() {
        channel.close();
      }
    });
  }

  private static void awaitCondition(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 10 s for: " + what);
      }
      Thread.sleep(20);
    }
  }

  private void send(SignalMessage m) throws Exception {
    contributorThread.submit(() -> contributor.send(m)).get(5, TimeUnit.SECONDS);
  }

  private void push(long number, byte[] segment) throws Exception {
    contributorThread.submit(() -> {
      for (int off = 0; off < segment.length; off += WireMessage.MAX_PAYLOAD) {
        byte[] chunk = Arrays.copyOfRange(segment, off, Math.min(segment.length, off + WireMessage.MAX_PAYLOAD));
        upload.send(WireCodec.binary().encode(new WireMessage.Push(number, segment.length, off, chunk)));
      }
    }).get(5, TimeUnit.SECONDS);
  }

  private static <T extends SignalMessage> T next(BlockingQueue<SignalMessage> q, Class<T> type) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      SignalMessage m = q.poll(100, TimeUnit.MILLISECONDS);
      if (type.isInstance(m)) {
        return type.cast(m);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " within 10 s");
  }
}
