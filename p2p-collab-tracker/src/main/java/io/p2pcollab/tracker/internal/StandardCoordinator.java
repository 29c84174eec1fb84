package io.p2pcollab.tracker.internal;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingConnection;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.core.Tracker;
import io.p2pcollab.tracker.CoordinatorConfig;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory Coordinator: a facade over its parts, each owning one seam of the domain —
 * {@link Admission} (registration, hello and silence deadlines), {@link SwarmTables} (streams,
 * checked claims, proven sources, peer lists), {@link SignalRelay} (relay rules and relayed pairs),
 * {@link PeerJudge} (reports and bans) and {@link Contributions} (grants and their expiry) — over
 * the shared {@link Sessions} table.
 *
 * <p>Threading: one daemon thread ({@code p2p-collab-coordinator}) owns every table of every part;
 * {@link PeerSession} callbacks and the public methods only enqueue onto it. The stream table is
 * guarded by its own monitor (read from any thread), the Tracker by its own.
 */
public final class StandardCoordinator implements Coordinator {

  private static final Logger log = LoggerFactory.getLogger(StandardCoordinator.class);

  private enum State { NEW, STARTED, CLOSED }

  private final CoordinatorConfig config;
  private final StandardTracker tracker;
  private final SecureRandom random = new SecureRandom();
  private final ScheduledExecutorService executor;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final AtomicLong connections = new AtomicLong();
  private final Map<String, StreamInfo> streams = new LinkedHashMap<>();

  private final Sessions sessions;
  private final SwarmTables swarm;
  private final PeerJudge judge;
  private final SignalRelay relay;
  private final Contributions contributions;
  private final Admission admission;
  private final AutoCloseable approvalListener;

  public StandardCoordinator(CoordinatorConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.tracker = new StandardTracker(config.scheduler());
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "p2p-collab-coordinator");
              t.setDaemon(true);
              return t;
            });
    this.sessions = new Sessions(config.clock());
    this.swarm = new SwarmTables(sessions, config, tracker, this::stream);
    this.judge = new PeerJudge(sessions, config, swarm::withdraw);
    swarm.judge(judge);
    this.relay = new SignalRelay(sessions, config, judge);
    this.contributions =
        new Contributions(sessions, config, judge, this::stream, this::removeStream, executor, random);
    this.admission = new Admission(sessions, config, random, this::streams);
    this.approvalListener = config.approvals().onChange(e -> run(() -> contributions.approvalChanged(e)));
  }

  @Override
  public void start() {
    if (!state.compareAndSet(State.NEW, State.STARTED)) {
      throw new IllegalStateException("already " + state.get());
    }
    long period = Math.max(50, Math.min(config.heartbeat().toMillis(), config.helloTimeout().toMillis()) / 2);
    executor.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public Session connect(SignalingConnection connection) {
    Objects.requireNonNull(connection, "connection");
    if (state.get() != State.STARTED) {
      throw new IllegalStateException("the Coordinator is " + state.get());
    }
    PeerSession session = new PeerSession(this, connection, connections.incrementAndGet(), now());
    run(() -> sessions.add(session));
    return session;
  }

  @Override
  public Tracker tracker() {
    return tracker;
  }

  @Override
  public void addStream(StreamInfo stream) {
    Objects.requireNonNull(stream, "stream");
    synchronized (streams) {
      streams.put(stream.id(), stream);
    }
    // Peers registered before learn of it now (a contribution went live, or a restarted stream has
    // a new key); later ones find it in welcome.
    String frame = sessions.encode(new SignalMessage.StreamAdded(stream));
    run(() -> sessions.broadcast(frame));
  }

  @Override
  public void removeStream(String streamId) {
    boolean removed;
    synchronized (streams) {
      removed = streams.remove(streamId) != null;
    }
    if (removed) {
      swarm.streamRemoved(streamId, now()); // before any state queued behind this removal is read
      String frame = sessions.encode(new SignalMessage.StreamRemoved(streamId));
      run(() -> {
        swarm.dropStream(streamId);
        sessions.broadcast(frame);
      });
    }
  }

  @Override
  public List<StreamInfo> streams() {
    synchronized (streams) {
      return List.copyOf(streams.values());
    }
  }

  private StreamInfo stream(String id) {
    synchronized (streams) {
      return streams.get(id);
    }
  }

  @Override
  public Map<String, PeerId> contributions() {
    return contributions.snapshot();
  }

  @Override
  public boolean revokeContribution(String stream) {
    if (!contributions.isLive(stream)) {
      return false;
    }
    run(() -> contributions.revoke(stream));
    return true;
  }

  @Override
  public boolean renewContribution(String stream, Instant until) {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(until, "until");
    if (!contributions.isLive(stream)) {
      return false;
    }
    run(() -> contributions.renew(stream, until));
    return true;
  }

  @Override
  public int registeredPeers() {
    return sessions.registeredCount();
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.CLOSED) {
      return;
    }
    try {
      approvalListener.close();
    } catch (Exception e) {
      log.debug("approval listener did not close", e);
    }
    try {
      // Peers are not told that others "left": everyone's signaling ends at once, and open data
      // channels between peers must outlive the Coordinator (peers reconnect and join again).
      executor.submit(() -> {
        for (PeerSession s : sessions.all()) {
          s.connection.close(1001, "coordinator closing");
        }
        sessions.clear();
        swarm.clear();
      }).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("closing sessions failed", e);
    }
    executor.shutdownNow();
  }

  /** Runs {@code task} on the Coordinator's thread; the future completes after it (a test seam). */
  CompletableFuture<Void> run(Runnable task) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.warn("coordinator task failed", e);
        } finally {
          done.complete(null);
        }
      });
    } catch (RejectedExecutionException e) {
      done.complete(null); // closed: nothing more happens
    }
    return done;
  }

  /**
   * Closes sockets past their hello or silence deadline, and lets every part forget what expired.
   * Runs on the Coordinator's thread every half heartbeat (tests call it through {@link #run}).
   */
  void sweep() {
    Instant now = now();
    admission.sweep(now);
    for (PeerSession s : sessions.all()) {
      switch (admission.check(s, now)) {
        case HELLO_TIMEOUT -> {
          log.debug("socket from {} said no hello within {}: closed", s.key, config.helloTimeout());
          sessions.refuse(s, ErrorCode.HELLO_TIMEOUT, "no hello within " + config.helloTimeout().toMillis() + " ms", null);
          s.connection.close(1008, "no hello");
          forget(s);
        }
        case SILENT -> {
          log.debug("peer {} silent since {}: removed", s.peerId, s.lastSeen);
          s.connection.close(1001, "silent for " + config.expiry().toMillis() + " ms");
          forget(s);
        }
        case KEEP -> {
          // alive
        }
      }
    }
    judge.sweep(now);
    contributions.sweep(now);
    swarm.sweep(now);
  }

  private Instant now() {
    return config.clock().instant();
  }

  /** Removes a session from every table and tells the peers that shared a stream with it. */
  void forget(PeerSession s) {
    if (!sessions.remove(s) || !s.registered()) {
      return;
    }
    relay.forget(s);
    contributions.forget(s);
    swarm.forget(s);
  }

  void pong(PeerSession s) {
    if (sessions.isOpen(s)) {
      s.lastSeen = now();
    }
  }

  void binary(PeerSession s) {
    if (sessions.isOpen(s)) {
      s.lastSeen = now();
      sessions.refuse(s, ErrorCode.BAD_FRAME, "signaling takes JSON text frames only", null);
    }
  }

  void handle(PeerSession s, String frame) {
    if (!sessions.isOpen(s)) {
      return;
    }
    s.lastSeen = now();
    if (!s.admit(now(), config.maxMessagesPerSecond())) {
      if (s.violations++ % config.maxMessagesPerSecond() == 0) {
        sessions.refuse(s, ErrorCode.RATE_LIMITED, "over " + config.maxMessagesPerSecond() + " messages per second", null);
      }
      return;
    }
    SignalMessage m;
    try {
      m = sessions.decode(frame);
    } catch (P2pCollabException e) {
      sessions.refuse(s, e.code(), e.getMessage(), e.ref());
      return;
    }
    if (!s.registered() && !(m instanceof SignalMessage.Hello)) {
      sessions.refuse(s, ErrorCode.NOT_REGISTERED, "send hello first", m.type());
      return;
    }
    if (m instanceof SignalMessage.Hello hello) {
      if (!admission.hello(s, hello)) {
        forget(s);
      }
    } else if (m instanceof SignalMessage.Join join) {
      swarm.join(s, join);
    } else if (m instanceof SignalMessage.State st) {
      swarm.state(s, st);
    } else if (m instanceof SignalMessage.PeersRequest req) {
      swarm.peers(s, req);
    } else if (m instanceof SignalMessage.Signal signal) {
      relay.relay(s, signal);
    } else if (m instanceof SignalMessage.Report report) {
      judge.report(s, report);
    } else if (m instanceof SignalMessage.Contribute c) {
      contributions.contribute(s, c);
    } else if (m instanceof SignalMessage.ContributeStop stop) {
      contributions.stop(s, stop);
    } else if (m instanceof SignalMessage.Contribution cut) {
      contributions.cutByIngest(s, cut);
    } else if (m instanceof SignalMessage.Leave) {
      s.connection.close(1000, "left");
      forget(s);
    } else {
      sessions.refuse(s, ErrorCode.BAD_MESSAGE, "'" + m.type() + "' is sent by the server, not by peers", m.type());
    }
  }

  /** The peer IDs in {@code stream} (a test seam). */
  CompletableFuture<List<PeerId>> members(String stream) {
    CompletableFuture<List<PeerId>> f = new CompletableFuture<>();
    run(() -> f.complete(swarm.members(stream)));
    return f;
  }
}
