package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.IceCandidate;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two webrtc-java peer connections in one JVM, signaled in memory, over loopback. */
class PeerLinkIT {

  private static final int CHUNK = 16 * 1024;

  private final ExecutorService aExec = Executors.newSingleThreadExecutor();
  private final ExecutorService bExec = Executors.newSingleThreadExecutor();
  private RtcEngine engine;
  private PeerLink a;
  private PeerLink b;
  private final Side sideA = new Side();
  private final Side sideB = new Side();

  @BeforeEach
  void setUp() {
    LoopbackOnly.assumeLoopbackOnlyNetwork();
    engine = RtcEngine.acquire();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (a != null) {
      aExec.submit(() -> a.close("test over")).get(5, TimeUnit.SECONDS);
    }
    if (b != null) {
      bExec.submit(() -> b.close("test over")).get(5, TimeUnit.SECONDS);
    }
    aExec.shutdown();
    bExec.shutdown();
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void offerAnswer_opensChannel_andMovesChunksInOrderWithBackPressure() throws Exception {
    long t0 = System.nanoTime();
    connect();
    long openMs = (System.nanoTime() - t0) / 1_000_000;

    int total = 16 << 20; // 16 MiB: well past the 1 MiB high-water mark
    byte[] payload = new byte[total];
    for (int i = 0; i < total; i++) {
      payload[i] = (byte) (i * 31 + (i >>> 13));
    }
    sideB.expect(total);
    long t1 = System.nanoTime();
    Pump pump = new Pump(payload);
    aExec.execute(pump::run);
    byte[] received = sideB.done.get(60, TimeUnit.SECONDS);
    double secs = (System.nanoTime() - t1) / 1e9;

    assertThat(Arrays.equals(received, payload)).as("bytes arrive intact and in order").isTrue();
    assertThat(pump.pauses).as("sender had to wait for the buffer to drain").isPositive();
    assertThat(pump.maxBuffered).isLessThanOrEqualTo(PeerLink.HIGH_WATER + CHUNK);
    System.out.printf(
        "PeerLinkIT: channel open after %d ms; %d MiB in %.2f s = %.1f MB/s; %d pauses, max buffered %d KiB%n",
        openMs, total >> 20, secs, total / secs / 1e6, pump.pauses, pump.maxBuffered >> 10);
  }

  @Test
  void closingOneSide_closesTheOther() throws Exception {
    connect();
    aExec.submit(() -> a.close("bye")).get(5, TimeUnit.SECONDS);
    assertThat(sideB.closed.get(10, TimeUnit.SECONDS)).startsWith("data channel");
    assertThat(sideA.closed.get(1, TimeUnit.SECONDS)).isEqualTo("bye");
  }

  @Test
  void textMessage_isNotPassedOn() throws Exception {
    connect();
    // a text frame breaks the wire protocol: the receiver closes the link
    aExec
        .submit(
            () -> {
              a.sendTextForTest("hello");
              return null;
            })
        .get(5, TimeUnit.SECONDS);
    assertThat(sideB.closed.get(10, TimeUnit.SECONDS)).isEqualTo("text message on a binary channel");
  }

  private void connect() throws Exception {
    sideA.peer = () -> b;
    sideA.peerExec = bExec;
    sideB.peer = () -> a;
    sideB.peerExec = aExec;
    a = aExec.submit(() -> engine.newLink("B", PeerLink.Role.OFFERER, IceSettings.loopback(), aExec, sideA)).get();
    b = bExec.submit(() -> engine.newLink("A", PeerLink.Role.ANSWERER, IceSettings.loopback(), bExec, sideB)).get();
    aExec.execute(a::startOffer);
    sideA.opened.get(10, TimeUnit.SECONDS);
    sideB.opened.get(10, TimeUnit.SECONDS);
  }

  /** Sends chunks while the link is writable; resumes on onWritable. Runs on A's executor. */
  private final class Pump {
    final byte[] payload;
    int offset;
    int pauses;
    long maxBuffered;

    Pump(byte[] payload) {
      this.payload = payload;
      sideA.onWritable = this::run;
    }

    void run() {
      while (offset < payload.length) {
        if (!a.writable()) {
          pauses++;
          return;
        }
        int n = Math.min(CHUNK, payload.length - offset);
        assertThat(a.send(java.nio.ByteBuffer.wrap(payload, offset, n))).isTrue();
        offset += n;
        maxBuffered = Math.max(maxBuffered, a.bufferedAmount());
      }
    }
  }

  private static final class Side implements PeerLink.Listener {
    java.util.function.Supplier<PeerLink> peer;
    ExecutorService peerExec;
    Runnable onWritable = () -> {};
    final CompletableFuture<Void> opened = new CompletableFuture<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    final CompletableFuture<byte[]> done = new CompletableFuture<>();
    final ByteArrayOutputStream sink = new ByteArrayOutputStream();
    final List<Integer> sizes = new ArrayList<>();
    int expected = -1;

    void expect(int n) {
      expected = n;
    }

    @Override
    public void onLocalDescription(String type, String sdp) {
      peerExec.execute(
          () -> {
            if (type.equals("offer")) {
              peer.get().acceptOffer(sdp);
            } else {
              peer.get().acceptAnswer(sdp);
            }
          });
    }

    @Override
    public void onLocalCandidate(IceCandidate candidate) {
      peerExec.execute(() -> peer.get().addRemoteCandidate(candidate));
    }

    @Override
    public void onOpen() {
      opened.complete(null);
    }

    @Override
    public void onMessage(byte[] message) {
      sink.writeBytes(message);
      sizes.add(message.length);
      if (sink.size() == expected) {
        done.complete(sink.toByteArray());
      }
    }

    @Override
    public void onWritable() {
      onWritable.run();
    }

    @Override
    public void onClosed(String reason) {
      closed.complete(reason);
    }
  }
}
