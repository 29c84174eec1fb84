package io.p2pcollab.media.internal.webrtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The process-wide webrtc-java {@link PeerConnectionFactory}, shared by every component that opens
 * peer connections and disposed when the last of them releases it.
 *
 * <p>A factory starts libwebrtc's signaling, worker and network threads plus an audio engine, so
 * one per process is enough; it is built with a {@link HeadlessAudioDeviceModule} because the
 * default audio module needs a sound server. The engine also owns one daemon timer thread that
 * only enqueues work onto owners' executors (see {@link PeerLink}). Threading: {@link #acquire()} and {@link #close()}
 * are safe from any thread.
 */
public final class RtcEngine implements AutoCloseable {

  private static final Object LOCK = new Object();
  private static PeerConnectionFactory factory;
  private static ScheduledExecutorService timer;
  private static int leases;

  private boolean released;

  private RtcEngine() {}

  /** Takes a lease on the shared factory, creating it on first use. */
  public static RtcEngine acquire() {
    synchronized (LOCK) {
      if (factory == null) {
        factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
        timer =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "p2p-collab-webrtc-timer");
                  t.setDaemon(true);
                  return t;
                });
      }
      leases++;
      return new RtcEngine();
    }
  }

  /**
   * Opens a connection to one remote peer; see {@link PeerLink}.
   *
   * @throws IllegalStateException if this lease was released
   */
  public PeerLink newLink(
      String remoteId,
      PeerLink.Role role,
      IceSettings ice,
      Executor executor,
      PeerLink.Listener listener) {
    synchronized (LOCK) {
      if (released) {
        throw new IllegalStateException("RtcEngine lease released");
      }
      return new PeerLink(factory, timer, remoteId, role, ice, executor, listener);
    }
  }

  /** Releases this lease; the last one disposes the factory. Idempotent. */
  @Override
  public void close() {
    synchronized (LOCK) {
      if (released) {
        return;
      }
      released = true;
      if (--leases == 0) {
        timer.shutdownNow();
        timer = null;
        factory.dispose();
        factory = null;
      }
    }
  }
}
