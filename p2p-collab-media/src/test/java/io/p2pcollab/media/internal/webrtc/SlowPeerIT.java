package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.IceCandidate;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.PeerState;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.StreamHolding;
import io.p2pcollab.core.SuperPeer;
import io.p2pcollab.core.SuperPeerConfig;
import io.p2pcollab.core.WireCodec;
import io.p2pcollab.core.WireMessage;
import io.p2pcollab.media.SuperPeers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's acceptance with Java peers, all real (webrtc-java on loopback, the Coordinator behind
 * the WebSocket server): a slow source is learned and avoided. A raw webrtc-java peer registers as
 * a viewer, claims the whole window and, asked for a segment, sends one DATA chunk every 2 s. The
 * Java viewer, fetching a run of segments, cancels each slow transfer as soon as its pace misses
 * the request deadline (not at a fixed timeout), gets the segment from the super-peer at once, and
 * sends the slow peer no REQUEST after its second late transfer. Slowness is not reported.
 */
class SlowPeerIT {

  private static final int SEGMENTS = 6;
  private static final int SEGMENT_BYTES = 100_000; // 7 chunks: 12 s at the slow peer's pace
  private static final Duration CHUNK_EVERY = Duration.ofSeconds(2);
  /** The viewer's timeout per segment: its REQUESTs get 5 s (the standard clamp). */
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private RealSignaling signaling;
  private final InMemorySegmentSource published = new InMemorySegmentSource();
  private final List<SegmentRef> refs = new ArrayList<>();
  private SuperPeer superPeer;
  private SlowPeer slow;
  private WebRtcViewer viewer;

  @BeforeEach
  void setUp() throws Exception {
    LoopbackOnly.assumeLoopbackOnlyNetwork();
    signaling = new RealSignaling();
    Random random = new Random(15);
    for (long n = 1; n <= SEGMENTS; n++) {
      byte[] b = new byte[SEGMENT_BYTES];
      random.nextBytes(b);
      SegmentRef ref = new SegmentRef("main", "0", n);
      published.put(ref, b);
      refs.add(ref);
    }
  }

  @AfterEach
  void tearDown() {
    for (AutoCloseable c : new AutoCloseable[] {viewer, slow, superPeer, signaling}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // best effort
        }
      }
    }
  }

  @Test
  void aSlowNeighbour_isCancelledEarly_twice_andThenAskedForNothingMore() throws Exception {
    superPeer = SuperPeers.create(
        SuperPeerConfig.builder("main").allowLoopback(true).token(RealSignaling.SUPER_PEER_TOKEN).build(),
        published, signaling.transport());
    PeerId superPeerId = superPeer.start().get(10, TimeUnit.SECONDS);
    slow = new SlowPeer(signaling, published);
    PeerId slowId = slow.start();
    await("both are sources", () -> sources().containsAll(List.of(superPeerId, slowId)));

    viewer = new WebRtcViewer(signaling.transport(), true, 4);
    viewer.start().get(10, TimeUnit.SECONDS);
    viewer.join("main").get(10, TimeUnit.SECONDS);
    await("both HAVEs", () -> announced(slowId).containsAll(refs) && announced(superPeerId).containsAll(refs));

    long t0 = System.nanoTime();
    List<Long> tookMs = new ArrayList<>();
    for (SegmentRef ref : refs) {
      byte[] want = published.segment(ref).orElseThrow();
      long start = System.nanoTime();
      byte[] got = viewer.fetch(ref, Hashes.sha256Hex(want), TIMEOUT).get(TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
      tookMs.add((System.nanoTime() - start) / 1_000_000);
      assertThat(Hashes.sha256Hex(got)).as("%s as published", ref).isEqualTo(Hashes.sha256Hex(want));
    }

    List<SlowPeer.Asked> asked = List.copyOf(slow.asked);
    System.out.printf("SlowPeerIT: %d segments of %d bytes obtained in %s ms; the slow peer got %d REQUESTs%n",
        refs.size(), SEGMENT_BYTES, tookMs, asked.size());
    for (SlowPeer.Asked a : asked) {
      Long cancelledAt = slow.cancelledAt.get(a.requestId());
      System.out.printf("SlowPeerIT:   %s asked at +%d ms, CANCEL %s after the REQUEST, %d chunk(s) sent%n",
          a.ref(), (a.at() - t0) / 1_000_000,
          cancelledAt == null ? "never" : (cancelledAt - a.at()) / 1_000_000 + " ms",
          slow.chunksSent.getOrDefault(a.requestId(), 0));
    }

    assertThat(asked).as("asked while it had fewer than 2 late strikes, never after")
        .extracting(SlowPeer.Asked::ref).containsExactly(refs.get(0), refs.get(1));
    for (SlowPeer.Asked a : asked) {
      Long cancelledAt = slow.cancelledAt.get(a.requestId());
      assertThat(cancelledAt).as("%s cancelled", a.ref()).isNotNull();
      assertThat(Duration.ofNanos(cancelledAt - a.at())).as("cancelled by its pace, before its 5 s request deadline")
          .isLessThan(Duration.ofSeconds(5));
    }
    assertThat(superPeer.stats().segmentsServed()).as("every segment from the super-peer").isEqualTo(SEGMENTS);
    assertThat(viewer.blocked().get(5, TimeUnit.SECONDS)).as("being slow is never reported").isEmpty();
    assertThat(signaling.reports).isEmpty();
  }

  private List<PeerId> sources() {
    return signaling.coordinator.tracker().sources().getOrDefault("main", List.of());
  }

  private java.util.Set<SegmentRef> announced(PeerId peer) {
    try {
      return viewer.announced(peer, "main").get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 20 s for: " + what);
      }
      Thread.sleep(20);
    }
  }

  /**
   * A raw webrtc-java peer registered as a viewer: it claims every published segment (in its
   * {@code state} and in HAVE), answers offers, and serves a REQUEST one 16 KiB chunk every 2 s,
   * the first at once, until it is cancelled. It records every REQUEST and CANCEL it receives.
   * Threading: all on its own executor; the records are read by the test.
   */
  private static final class SlowPeer implements AutoCloseable {
    record Asked(long requestId, SegmentRef ref, long at) {}

    final List<Asked> asked = new CopyOnWriteArrayList<>();
    final Map<Long, Long> cancelledAt = new ConcurrentHashMap<>();
    final Map<Long, Integer> chunksSent = new ConcurrentHashMap<>();
    private final RealSignaling signaling;
    private final InMemorySegmentSource published;
    private final WireCodec codec = WireCodec.binary();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final RtcEngine engine = RtcEngine.acquire();
    private final Map<PeerId, PeerLink> links = new ConcurrentHashMap<>();
    private final Map<Long, ScheduledFuture<?>> serving = new ConcurrentHashMap<>();
    private SignalingClient client;

    SlowPeer(RealSignaling signaling, InMemorySegmentSource published) {
      this.signaling = signaling;
      this.published = published;
    }

    /** Registers, joins and claims the window; completes with its peer ID. */
    PeerId start() throws Exception {
      CompletableFuture<PeerId> id = new CompletableFuture<>();
      executor.submit(() -> {
        client = new SignalingClient(signaling.transport(), SignalMessage.Hello.viewer(), executor,
            new SignalingClient.Handler() {
              @Override
              public void onMessage(SignalMessage m) {
                if (m instanceof SignalMessage.Welcome w) {
                  client.send(new SignalMessage.Join("main"));
                  id.complete(w.peerId());
                } else if (m instanceof SignalMessage.Joined) {
                  executor.scheduleAtFixedRate(SlowPeer.this::claim, 0, 1, TimeUnit.SECONDS);
                } else if (m instanceof SignalMessage.Signal s) {
                  onSignal(s);
                }
              }

              @Override
              public void onDisconnected(String reason) {}
            }, Duration.ofSeconds(1));
        client.connect();
      }).get(5, TimeUnit.SECONDS);
      return id.get(10, TimeUnit.SECONDS);
    }

    private void claim() {
      client.send(new SignalMessage.State(new PeerState(List.of(new StreamHolding("main", SEGMENTS, SEGMENTS)), 4)));
    }

    private void onSignal(SignalMessage.Signal s) {
      PeerLink link = links.get(s.from());
      if (s.kind() == SignalMessage.SignalKind.OFFER && link == null) {
        PeerId from = s.from();
        link = engine.newLink(from.value(), PeerLink.Role.ANSWERER, IceSettings.loopback(), executor, new PeerLink.Listener() {
          @Override
          public void onLocalDescription(String type, String sdp) {
            client.send(SignalMessage.Signal.sdp(from, SignalMessage.SignalKind.ANSWER, sdp));
          }

          @Override
          public void onLocalCandidate(IceCandidate candidate) {
            client.send(SignalMessage.Signal.candidate(from, candidate));
          }

          @Override
          public void onOpen() {
            send(from, WireMessage.Have.of("main", published.window("main")));
          }

          @Override
          public void onMessage(byte[] bytes) {
            received(from, codec.decode(ByteBuffer.wrap(bytes)));
          }

          @Override
          public void onClosed(String reason) {
            links.remove(from);
          }
        });
        links.put(from, link);
        link.acceptOffer(s.sdp());
      } else if (s.kind() == SignalMessage.SignalKind.CANDIDATE && link != null) {
        link.addRemoteCandidate(s.candidate());
      }
    }

    private void received(PeerId from, WireMessage m) {
      if (m instanceof WireMessage.Request r) {
        asked.add(new Asked(r.requestId(), r.ref(), System.nanoTime()));
        byte[] segment = published.segment(r.ref()).orElseThrow();
        int[] next = {0};
        serving.put(r.requestId(), executor.scheduleAtFixedRate(() -> {
          int off = next[0] * WireMessage.MAX_PAYLOAD;
          if (off >= segment.length) {
            serving.remove(r.requestId()).cancel(false);
            return;
          }
          byte[] payload = Arrays.copyOfRange(segment, off, Math.min(segment.length, off + WireMessage.MAX_PAYLOAD));
          send(from, new WireMessage.Data(r.requestId(), segment.length, off, payload));
          chunksSent.merge(r.requestId(), 1, Integer::sum);
          next[0]++;
        }, 0, CHUNK_EVERY.toMillis(), TimeUnit.MILLISECONDS));
      } else if (m instanceof WireMessage.Cancel c) {
        cancelledAt.put(c.requestId(), System.nanoTime());
        ScheduledFuture<?> f = serving.remove(c.requestId());
        if (f != null) {
          f.cancel(false);
        }
      }
    }

    private void send(PeerId to, WireMessage m) {
      PeerLink link = links.get(to);
      if (link != null) {
        link.send(codec.encode(m));
      }
    }

    @Override
    public void close() throws Exception {
      executor.submit(() -> {
        links.values().forEach(l -> l.close("test over"));
        if (client != null) {
          client.close();
        }
      }).get(5, TimeUnit.SECONDS);
      executor.shutdownNow();
      engine.close();
    }
  }
}
