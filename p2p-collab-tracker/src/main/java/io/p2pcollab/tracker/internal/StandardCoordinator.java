package io.p2pcollab.tracker.internal;

import io.p2pcollab.core.Coordinator;
import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.PeerEntry;
import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.PeerState;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.core.SignalingCodec;
import io.p2pcollab.core.SignalingConnection;
import io.p2pcollab.core.StreamHolding;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.core.Tracker;
import io.p2pcollab.tracker.ContributionApprovals;
import io.p2pcollab.tracker.CoordinatorConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory Coordinator. Threading: one daemon thread ({@code p2p-collab-coordinator}) owns
 * every table; {@link Session} methods and the public methods only enqueue onto it. The Tracker's
 * tables are also readable from other threads (they have their own monitor).
 */
public final class StandardCoordinator implements Coordinator {

  private static final Logger log = LoggerFactory.getLogger(StandardCoordinator.class);
  /** A session may have this many frames waiting; a peer that floods past it is disconnected. */
  static final int MAX_QUEUED_FRAMES = 256;

  private enum State { NEW, STARTED, CLOSED }

  private final CoordinatorConfig config;
  private final SignalingCodec codec = SignalingCodec.json();
  private final StandardTracker tracker;
  private final SecureRandom random = new SecureRandom();
  private final ScheduledExecutorService executor;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

  // Owned by the executor thread.
  private final Set<SessionImpl> sessions = new LinkedHashSet<>();
  private final Map<String, Set<PeerId>> members = new HashMap<>();
  /** Network address → when it registered page visits in the last minute. */
  private final Map<java.net.InetAddress, java.util.ArrayDeque<Instant>> registrations = new HashMap<>();
  /** Reported peer → the distinct peers that reported it. Entries end with the reported visit. */
  private final Map<PeerId, Set<PeerId>> reports = new HashMap<>();
  /** Streams removed lately: peers may list them in a state or two before they hear of it. */
  private final Map<String, Instant> removedAt = new ConcurrentHashMap<>();
  private static final Duration RECENTLY_REMOVED = Duration.ofSeconds(10);
  /** An offer not answered within this long no longer counts as pending. */
  private static final Duration OFFER_TTL = Duration.ofSeconds(30);
  /** Live contributions by stream. */
  private final Map<String, Live> live = new LinkedHashMap<>();
  // Read from any thread.
  private final Map<PeerId, SessionImpl> registered = new ConcurrentHashMap<>();
  private final Map<String, StreamInfo> streams = new LinkedHashMap<>();
  private final Map<String, PeerId> contributors = new ConcurrentHashMap<>();
  private final AutoCloseable approvalListener;

  /** A live contribution: who sends it, which super-peer ingests it. */
  private record Live(PeerId contributor, PeerId superPeer, String grantedBy) {}

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
    this.approvalListener = config.approvals().onChange(e -> run(() -> approvalChanged(e)));
  }

  @Override
  public void start() {
    if (!state.compareAndSet(State.NEW, State.STARTED)) {
      throw new IllegalStateException("already " + state.get());
    }
    long period = Math.max(50, config.heartbeat().toMillis() / 2);
    executor.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public Session connect(SignalingConnection connection) {
    Objects.requireNonNull(connection, "connection");
    if (state.get() != State.STARTED) {
      throw new IllegalStateException("the Coordinator is " + state.get());
    }
    SessionImpl session = new SessionImpl(connection);
    run(() -> {
      session.lastSeen = now();
      sessions.add(session);
    });
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
    String frame = codec.encode(new SignalMessage.StreamAdded(stream));
    run(() -> broadcast(frame));
  }

  @Override
  public void removeStream(String streamId) {
    boolean removed;
    synchronized (streams) {
      removed = streams.remove(streamId) != null;
    }
    if (removed) {
      removedAt.put(streamId, now()); // before any state queued behind this removal is read
      String frame = codec.encode(new SignalMessage.StreamRemoved(streamId));
      run(() -> {
        members.remove(streamId);
        broadcast(frame);
      });
    }
  }

  @Override
  public Map<String, PeerId> contributions() {
    return Map.copyOf(contributors);
  }

  @Override
  public boolean revokeContribution(String stream) {
    if (!contributors.containsKey(stream)) {
      return false;
    }
    run(() -> {
      Live l = live.get(stream);
      if (l != null) {
        endContribution(stream, SignalMessage.ContributionStatus.REVOKED, "revoked by an operator");
        config.approvals().revoke(l.contributor(), stream);
      }
    });
    return true;
  }

  private void broadcast(String frame) {
    for (SessionImpl s : sessions) {
      if (s.peerId != null) {
        s.connection.send(frame);
      }
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
  public int registeredPeers() {
    return registered.size();
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
        for (SessionImpl s : List.copyOf(sessions)) {
          s.connection.close(1001, "coordinator closing");
        }
        sessions.clear();
        registered.clear();
        members.clear();
      }).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("closing sessions failed", e);
    }
    executor.shutdownNow();
  }

  /** Runs {@code task} on the Coordinator's thread; test hook: the future completes after it. */
  public CompletableFuture<Void> run(Runnable task) {
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

  /** Removes every session silent for longer than the expiry. Runs on the Coordinator's thread. */
  public void sweep() {
    Instant cutoff = now().minus(config.expiry());
    Instant minuteAgo = now().minusSeconds(60);
    registrations.values().removeIf(times -> times.isEmpty() || !times.peekLast().isAfter(minuteAgo));
    for (SessionImpl s : List.copyOf(sessions)) {
      if (s.lastSeen.isBefore(cutoff)) {
        log.debug("peer {} silent since {}: removed", s.peerId, s.lastSeen);
        s.connection.close(1001, "silent for " + config.expiry().toMillis() + " ms");
        forget(s);
      }
    }
  }

  private Instant now() {
    return config.clock().instant();
  }

  private void send(SessionImpl s, SignalMessage m) {
    s.connection.send(codec.encode(m));
  }

  private void refuse(SessionImpl s, ErrorCode code, String message, String ref) {
    send(s, new SignalMessage.Error(code, message, ref));
  }

  /** Removes a session from every table and tells the peers that shared a stream with it. */
  private void forget(SessionImpl s) {
    if (!sessions.remove(s) || s.peerId == null) {
      return;
    }
    PeerId id = s.peerId;
    registered.remove(id);
    reports.remove(id);
    for (SessionImpl o : sessions) {
      o.offers.remove(id); // an offer to a peer that left is settled
    }
    for (Map.Entry<String, Live> e : List.copyOf(live.entrySet())) {
      if (e.getValue().contributor().equals(id)) {
        endContribution(e.getKey(), SignalMessage.ContributionStatus.ENDED, "the contributor left");
      } else if (e.getValue().superPeer().equals(id)) {
        endContribution(e.getKey(), SignalMessage.ContributionStatus.ENDED, "the ingesting super-peer left");
      }
    }
    config.approvals().forget(id);
    Set<String> streamsOfPeer = new LinkedHashSet<>(tracker.remove(id));
    streamsOfPeer.addAll(s.joined);
    for (String stream : streamsOfPeer) {
      Set<PeerId> set = members.get(stream);
      if (set == null) {
        continue;
      }
      set.remove(id);
      if (set.isEmpty()) {
        members.remove(stream);
      }
      String left = codec.encode(new SignalMessage.PeerLeft(id, stream));
      for (PeerId other : set) {
        SessionImpl o = registered.get(other);
        if (o != null) {
          o.connection.send(left);
        }
      }
    }
  }

  private void handle(SessionImpl s, String frame) {
    s.lastSeen = now();
    if (!s.admit(now(), config.maxMessagesPerSecond())) {
      if (s.violations++ % config.maxMessagesPerSecond() == 0) {
        refuse(s, ErrorCode.RATE_LIMITED, "over " + config.maxMessagesPerSecond() + " messages per second", null);
      }
      return;
    }
    SignalMessage m;
    try {
      m = codec.decode(frame);
    } catch (P2pCollabException e) {
      refuse(s, e.code(), e.getMessage(), e.ref());
      return;
    }
    if (s.peerId == null && !(m instanceof SignalMessage.Hello)) {
      refuse(s, ErrorCode.NOT_REGISTERED, "send hello first", m.type());
      return;
    }
    if (m instanceof SignalMessage.Hello hello) {
      hello(s, hello);
    } else if (m instanceof SignalMessage.Join join) {
      join(s, join);
    } else if (m instanceof SignalMessage.State st) {
      state(s, st);
    } else if (m instanceof SignalMessage.PeersRequest req) {
      StreamInfo info = stream(req.stream());
      if (info == null) {
        refuse(s, ErrorCode.UNKNOWN_STREAM, "no stream '" + req.stream() + "'", m.type());
        return;
      }
      int max = req.max() > 0 ? Math.min(req.max(), config.peersPerList()) : config.peersPerList();
      send(s, new SignalMessage.Peers(req.stream(), tracker.peersFor(req.stream(), s.peerId, max)));
    } else if (m instanceof SignalMessage.Signal signal) {
      relay(s, signal);
    } else if (m instanceof SignalMessage.Report report) {
      report(s, report);
    } else if (m instanceof SignalMessage.Contribute c) {
      contribute(s, c);
    } else if (m instanceof SignalMessage.ContributeStop stop) {
      Live l = live.get(stop.stream());
      if (l == null || !l.contributor().equals(s.peerId)) {
        refuse(s, ErrorCode.UNKNOWN_STREAM, "this peer is not contributing '" + stop.stream() + "'", m.type());
        return;
      }
      endContribution(stop.stream(), SignalMessage.ContributionStatus.ENDED, "the contributor stopped");
    } else if (m instanceof SignalMessage.Leave) {
      s.connection.close(1000, "left");
      forget(s);
    } else {
      refuse(s, ErrorCode.BAD_MESSAGE, "'" + m.type() + "' is sent by the server, not by peers", m.type());
    }
  }

  private void hello(SessionImpl s, SignalMessage.Hello hello) {
    boolean superPeer = hello.role() == SignalMessage.Role.SUPER_PEER;
    if (s.peerId == null) {
      if (superPeer && !tokenMatches(hello.token())) {
        refuse(s, ErrorCode.UNAUTHORIZED, "the super-peer role needs the super-peer token", "hello");
        return;
      }
      if (!superPeer && !admitRegistration(s)) {
        refuse(s, ErrorCode.RATE_LIMITED,
            "over " + config.registrationsPerAddressPerMinute() + " registrations per minute from one address", "hello");
        s.connection.close(1008, "too many registrations");
        forget(s);
        return;
      }
      PeerId id;
      do {
        id = PeerId.random(random);
      } while (registered.containsKey(id));
      s.peerId = id;
      s.superPeer = superPeer;
      registered.put(id, s);
    }
    send(s, new SignalMessage.Welcome(s.peerId, config.iceServers(), config.heartbeat(), streams()));
  }

  /** Sliding one-minute window of registrations per network address (the address stays here). */
  private boolean admitRegistration(SessionImpl s) {
    java.net.InetSocketAddress remote = s.connection.remoteAddress();
    if (remote == null || remote.getAddress() == null) {
      return true;
    }
    Instant now = now();
    java.util.ArrayDeque<Instant> times = registrations.computeIfAbsent(remote.getAddress(), k -> new java.util.ArrayDeque<>());
    while (!times.isEmpty() && !times.peekFirst().isAfter(now.minusSeconds(60))) {
      times.pollFirst();
    }
    if (times.size() >= config.registrationsPerAddressPerMinute()) {
      return false;
    }
    times.addLast(now);
    return true;
  }

  private boolean tokenMatches(String token) {
    String expected = config.superPeerToken();
    return expected != null
        && token != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
  }

  private void join(SessionImpl s, SignalMessage.Join join) {
    StreamInfo info = stream(join.stream());
    if (info == null) {
      refuse(s, ErrorCode.UNKNOWN_STREAM, "no stream '" + join.stream() + "'", "join");
      return;
    }
    s.joined.add(info.id());
    members.computeIfAbsent(info.id(), k -> new LinkedHashSet<>()).add(s.peerId);
    List<PeerEntry> peers = tracker.peersFor(info.id(), s.peerId, config.peersPerList());
    send(s, new SignalMessage.Joined(info, peers));
  }

  private void report(SessionImpl s, SignalMessage.Report report) {
    SessionImpl target = registered.get(report.peer());
    if (target == null) {
      refuse(s, ErrorCode.UNKNOWN_PEER, "no peer " + report.peer().value() + " is registered", "report");
      return;
    }
    if (target == s) {
      refuse(s, ErrorCode.BAD_MESSAGE, "a peer cannot report itself", "report");
      return;
    }
    Set<PeerId> by = reports.computeIfAbsent(report.peer(), k -> new HashSet<>());
    if (!by.add(s.peerId) || target.banned || by.size() < config.reportsToBan()) {
      return;
    }
    // Banned for the rest of this page visit: out of Table 4.2, never handed out, no new links.
    log.info("peer {} banned: reported by {} peers ({})", target.peerId, by.size(), report.reason());
    target.banned = true;
    tracker.remove(target.peerId);
    refuse(target, ErrorCode.BANNED, "reported for bad segments by " + by.size() + " peers", "report");
  }

  private void state(SessionImpl s, SignalMessage.State st) {
    if (s.banned) {
      return; // a banned peer is no source of anything
    }
    PeerState state = st.state();
    Instant recent = now().minus(RECENTLY_REMOVED);
    removedAt.values().removeIf(t -> t.isBefore(recent));
    List<StreamHolding> kept = new ArrayList<>();
    for (StreamHolding h : state.streams()) {
      if (stream(h.stream()) != null) {
        kept.add(h);
      } else if (!removedAt.containsKey(h.stream())) {
        refuse(s, ErrorCode.UNKNOWN_STREAM, "no stream '" + h.stream() + "'", "state");
        return;
      }
      // else: a stream that just ended, which the peer has not heard of yet; not a source of it
    }
    if (kept.size() != state.streams().size()) {
      state = new PeerState(kept, state.uploadSlots());
    }
    tracker.report(s.peerId, s.superPeer, state);
    for (StreamHolding h : state.streams()) {
      members.computeIfAbsent(h.stream(), k -> new LinkedHashSet<>()).add(s.peerId);
    }
  }

  private void relay(SessionImpl s, SignalMessage.Signal signal) {
    if (s.banned) {
      refuse(s, ErrorCode.BANNED, "banned peers cannot connect to others", "signal");
      return;
    }
    if (signal.from() != null) {
      refuse(s, ErrorCode.BAD_MESSAGE, "'from' is set by the server", "signal");
      return;
    }
    if (signal.to() == null) {
      refuse(s, ErrorCode.BAD_MESSAGE, "missing field 'to'", "signal");
      return;
    }
    SessionImpl target = registered.get(signal.to());
    if (target == null) {
      refuse(s, ErrorCode.UNKNOWN_PEER, "no peer " + signal.to().value() + " is registered", "signal");
      return;
    }
    if (signal.kind() == SignalMessage.SignalKind.OFFER) {
      Instant stale = now().minus(OFFER_TTL);
      s.offers.values().removeIf(at -> at.isBefore(stale));
      if (!s.offers.containsKey(target.peerId) && s.offers.size() >= config.maxPendingOffers()) {
        refuse(s, ErrorCode.RATE_LIMITED, "over " + config.maxPendingOffers() + " offers awaiting an answer", "signal");
        return;
      }
      s.offers.put(target.peerId, now());
    } else if (signal.kind() == SignalMessage.SignalKind.ANSWER) {
      target.offers.remove(s.peerId); // the offer it answers is settled
    }
    String frame = codec.encode(signal.relayedFrom(s.peerId));
    if (frame.getBytes(StandardCharsets.UTF_8).length > SignalingCodec.MAX_FRAME_BYTES) {
      refuse(s, ErrorCode.FRAME_TOO_LARGE, "the relayed signal would exceed 64 KiB", "signal");
      return;
    }
    target.connection.send(frame);
  }

  // ------------------------------------------------------------------ contributions

  private void contribute(SessionImpl s, SignalMessage.Contribute c) {
    String stream = c.stream();
    Live current = live.get(stream);
    if (current != null && current.contributor().equals(s.peerId)) {
      grantTo(s, stream, current); // asked again: same answer
      return;
    }
    if (current != null || stream(stream) != null) {
      refuse(s, ErrorCode.STREAM_TAKEN, "stream '" + stream + "' is live already", "contribute");
      return;
    }
    for (Map.Entry<String, Live> e : live.entrySet()) {
      if (e.getValue().contributor().equals(s.peerId)) {
        refuse(s, ErrorCode.BAD_MESSAGE, "already contributing '" + e.getKey() + "': stop it first", "contribute");
        return;
      }
    }
    if (s.banned) {
      refuseLater(s, ErrorCode.BANNED, "banned peers cannot contribute");
      return;
    }
    String grantedBy;
    if (c.token() != null) {
      if (config.contributorTokens() == null) {
        refuseLater(s, ErrorCode.UNAUTHORIZED, "this room accepts no contributor tokens; ask an operator");
        return;
      }
      try {
        config.contributorTokens().redeem(c.token(), config.room(), stream);
      } catch (P2pCollabException e) {
        refuseLater(s, e.code(), e.getMessage());
        return;
      }
      grantedBy = "token";
    } else if (config.approvals().grant(s.peerId, stream).isPresent()) {
      grantedBy = "operator";
    } else {
      config.approvals().request(s.peerId, config.room(), stream);
      refuseLater(s, ErrorCode.UNAUTHORIZED,
          "no grant to contribute '" + stream + "'; an operator was asked to approve it");
      send(s, new SignalMessage.Contribution(
          stream, SignalMessage.ContributionStatus.PENDING, null, null, "waiting for an operator"));
      return;
    }
    start(s, stream, grantedBy);
  }

  /** Starts a granted contribution: the ingesting super-peer learns whom to accept, then the contributor. */
  private void start(SessionImpl s, String stream, String grantedBy) {
    SessionImpl ingest = null;
    for (SessionImpl o : sessions) {
      if (o.superPeer && o.peerId != null) {
        ingest = o;
        break;
      }
    }
    if (ingest == null) {
      refuse(s, ErrorCode.INTERNAL, "no Media Server is online to ingest the stream; try again", "contribute");
      return;
    }
    Live l = new Live(s.peerId, ingest.peerId, grantedBy);
    live.put(stream, l);
    contributors.put(stream, s.peerId);
    log.info("peer {} contributes stream {} (granted by {}), ingested by {}", s.peerId, stream, grantedBy, ingest.peerId);
    send(ingest, new SignalMessage.Contribution(stream, SignalMessage.ContributionStatus.GRANTED, s.peerId, null, null));
    grantTo(s, stream, l);
  }

  private void grantTo(SessionImpl s, String stream, Live l) {
    send(s, new SignalMessage.Contribution(stream, SignalMessage.ContributionStatus.GRANTED, null, l.superPeer(), null));
  }

  /** Ends a live contribution: contributor and super-peer are told, every peer loses the stream. */
  private void endContribution(String stream, SignalMessage.ContributionStatus status, String reason) {
    Live l = live.remove(stream);
    if (l == null) {
      return;
    }
    contributors.remove(stream);
    log.info("contribution of stream {} by {} {}: {}", stream, l.contributor(), status.wireName(), reason);
    SessionImpl ingest = registered.get(l.superPeer());
    if (ingest != null) {
      send(ingest, new SignalMessage.Contribution(stream, status, l.contributor(), null, reason));
    }
    SessionImpl contributor = registered.get(l.contributor());
    if (contributor != null) {
      send(contributor, new SignalMessage.Contribution(stream, status, null, null, reason));
    }
    removeStream(stream);
  }

  /** What operators decided, on the Coordinator's thread. */
  private void approvalChanged(ContributionApprovals.Event e) {
    SessionImpl s = registered.get(e.peer());
    switch (e.change()) {
      case APPROVED -> {
        // The peer asked and is still here: it goes live now, as if it had asked again.
        if (s != null && e.room().equals(config.room()) && !live.containsKey(e.stream()) && stream(e.stream()) == null) {
          start(s, e.stream(), "operator");
        }
      }
      case DENIED -> {
        if (s != null) {
          send(s, new SignalMessage.Contribution(
              e.stream(), SignalMessage.ContributionStatus.DENIED, null, null, "an operator denied the request"));
        }
      }
      case REVOKED -> {
        Live l = live.get(e.stream());
        if (l != null && l.contributor().equals(e.peer())) {
          endContribution(e.stream(), SignalMessage.ContributionStatus.REVOKED, "the grant was revoked");
        }
      }
      case REQUESTED -> {
        // operators see it in ContributionApprovals.pending()
      }
    }
  }

  /**
   * Answers a failed grant check after a random delay (a quarter to all of {@code
   * grantFailureDelay}), so that timing tells a prober nothing and guessing tokens is slow.
   */
  private void refuseLater(SessionImpl s, ErrorCode code, String message) {
    long max = config.grantFailureDelay().toNanos();
    if (max == 0) {
      refuse(s, code, message, "contribute");
      return;
    }
    long delay = max / 4 + (long) (random.nextDouble() * (max - max / 4));
    try {
      executor.schedule(() -> {
        if (sessions.contains(s)) {
          refuse(s, code, message, "contribute");
        }
      }, delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  /** One socket. Its fields are touched only on the Coordinator's thread, except the queue count. */
  private final class SessionImpl implements Session {
    final SignalingConnection connection;
    final AtomicInteger queued = new AtomicInteger();
    final Set<String> joined = new HashSet<>();
    /** Peers this one offered to that have not answered yet, and when. */
    final Map<PeerId, Instant> offers = new HashMap<>();
    Instant lastSeen;
    PeerId peerId;
    boolean superPeer;
    boolean banned;
    double tokens = -1;
    Instant refilled;
    long violations;

    SessionImpl(SignalingConnection connection) {
      this.connection = connection;
    }

    /** Token bucket: {@code rate} per second, bursts of twice that. */
    boolean admit(Instant now, int rate) {
      if (tokens < 0) {
        tokens = 2.0 * rate;
        refilled = now;
      }
      double elapsed = Duration.between(refilled, now).toNanos() / 1e9;
      tokens = Math.min(2.0 * rate, tokens + Math.max(0, elapsed) * rate);
      refilled = now;
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }

    @Override
    public void onText(String frame) {
      if (queued.incrementAndGet() > MAX_QUEUED_FRAMES) {
        connection.close(1008, "flooding");
        onClose();
        return;
      }
      run(() -> {
        queued.decrementAndGet();
        if (sessions.contains(this)) {
          handle(this, frame);
        }
      });
    }

    @Override
    public void onBinary(ByteBuffer frame) {
      run(() -> {
        if (sessions.contains(this)) {
          lastSeen = now();
          refuse(this, ErrorCode.BAD_FRAME, "signaling takes JSON text frames only", null);
        }
      });
    }

    @Override
    public void onPong() {
      run(() -> lastSeen = now());
    }

    @Override
    public void onClose() {
      run(() -> forget(this));
    }
  }

  /** Test hook: the peer IDs that share {@code stream}. */
  public CompletableFuture<List<PeerId>> members(String stream) {
    CompletableFuture<List<PeerId>> f = new CompletableFuture<>();
    run(() -> f.complete(new ArrayList<>(members.getOrDefault(stream, Set.of()))));
    return f;
  }
}
