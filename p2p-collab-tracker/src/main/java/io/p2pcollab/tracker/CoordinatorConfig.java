package io.p2pcollab.tracker;

import io.p2pcollab.core.IceServer;
import io.p2pcollab.core.SegmentScheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Configuration of a {@link io.p2pcollab.core.Coordinator}. Build with {@link #builder()}.
 *
 * @param iceServers STUN/TURN servers handed to each peer in {@code welcome} (default none: host
 *     candidates only, enough on one network); {@link IceServers#turnRest} makes TURN credentials
 *     per peer that expire, {@link IceServers#of} hands the same (static) ones to everyone
 * @param heartbeat how often peers report their state, told to them in {@code welcome}
 *     (default 1 s)
 * @param expiry how long a peer may stay silent (no message, no pong) before it is removed from
 *     every table (default 3 s, the thesis' figure)
 * @param peersPerList the most peers in one {@code joined}/{@code peers} list (default 5)
 * @param maxMessagesPerSecond messages one peer may send per second on average, with bursts of
 *     twice as many (default 50); beyond it messages are refused with {@code RATE_LIMITED}
 * @param registrationsPerAddressPerMinute page visits one network address may register per minute
 *     (default 60); more are refused with {@code RATE_LIMITED} and their socket closed
 * @param reportsToBan how many distinct network addresses must report a peer before its address is
 *     banned (default 2). A report counts only from a peer that was the reported peer's neighbour
 *     in that stream (the Coordinator relayed an offer and its answer between them), once per
 *     reporting address (IPv4 address, IPv6 /64; loopback counts per connection); reports against
 *     the super-peer are never counted but go to {@code onReport} and the log; a banned peer's
 *     reports are ignored
 * @param superPeerToken the secret a {@code hello} with role {@code super-peer} must carry; null
 *     refuses that role to everyone (default null)
 * @param scheduler the policy that chooses peer lists (default {@link SegmentScheduler#standard()})
 * @param clock the time source for liveness and rates (default the system clock)
 * @param room the room this Coordinator serves; contributor tokens must name it (default {@code
 *     "default"})
 * @param contributorTokens checks contributor tokens; null accepts none, so only operators' approvals
 *     grant contributions (default null)
 * @param approvals the operator approval flow: requests from peers without a token land here for an
 *     operator to approve or deny (default: grants last 30 minutes)
 * @param maxPendingOffers offers one peer may have relayed that are not answered yet (answers,
 *     the target leaving, or 30 s free a slot; default 16); more are refused with {@code
 *     RATE_LIMITED}, so no peer can spray connection attempts at the swarm
 * @param grantFailureDelay the longest delay before a failed grant check is answered; each refusal
 *     waits a random time between a quarter of it and all of it, so that timing tells a prober
 *     nothing and guessing is slow (default 250 ms; zero answers at once)
 * @param helloTimeout how long a socket may stay open without {@code hello} (default 3 s); then it
 *     gets {@code HELLO_TIMEOUT} and is closed. Pongs do not extend it
 * @param banDuration how long a ban lasts (default 10 minutes). It applies to the banned peer's
 *     address, not its ID: a peer from a banned address may still register, join and watch over
 *     HTTP, but is never handed out as a source, its {@code state} is ignored, its relays and
 *     contributions are refused with {@code BANNED}, and reconnecting under a new ID does not clear
 *     it. The super-peer is never banned
 * @param maxPendingApprovals requests waiting for an operator, in all, oldest first (default 32);
 *     one more is refused with {@code PENDING_LIMIT} until one is decided or its peer leaves. A peer
 *     has at most one request waiting
 * @param maxPendingApprovalsPerAddress requests waiting for an operator from one network address
 *     (default 2; loopback counts per connection); more are {@code PENDING_LIMIT}
 * @param maxClaimedSegments the most segments a {@code state} may claim to hold of one stream
 *     (default 4096); a larger claim is refused with {@code CLAIM_REFUSED} and ignored
 * @param maxUploadSlots the most upload slots a viewer's {@code state} is believed (default 8, the
 *     browser's neighbour maximum); more are clamped to it
 * @param onReport hears every {@code report} and its outcome, on the Coordinator's thread; it must
 *     return quickly, and what it throws is logged and ignored (default: nothing)
 */
public record CoordinatorConfig(
    IceServers iceServers,
    Duration heartbeat,
    Duration expiry,
    int peersPerList,
    int maxMessagesPerSecond,
    int registrationsPerAddressPerMinute,
    int reportsToBan,
    String superPeerToken,
    SegmentScheduler scheduler,
    Clock clock,
    String room,
    ContributorTokens contributorTokens,
    ContributionApprovals approvals,
    Duration grantFailureDelay,
    int maxPendingOffers,
    Duration helloTimeout,
    Duration banDuration,
    int maxPendingApprovals,
    int maxPendingApprovalsPerAddress,
    int maxClaimedSegments,
    int maxUploadSlots,
    Consumer<PeerReport> onReport) {

  public CoordinatorConfig {
    Objects.requireNonNull(iceServers, "iceServers");
    requirePositive(heartbeat, "heartbeat");
    requirePositive(expiry, "expiry");
    if (expiry.compareTo(heartbeat) <= 0) {
      throw new IllegalArgumentException("expiry must be longer than the heartbeat");
    }
    if (peersPerList < 1) {
      throw new IllegalArgumentException("peersPerList must be >= 1: " + peersPerList);
    }
    if (maxMessagesPerSecond < 1) {
      throw new IllegalArgumentException("maxMessagesPerSecond must be >= 1: " + maxMessagesPerSecond);
    }
    if (registrationsPerAddressPerMinute < 1) {
      throw new IllegalArgumentException(
          "registrationsPerAddressPerMinute must be >= 1: " + registrationsPerAddressPerMinute);
    }
    if (reportsToBan < 1) {
      throw new IllegalArgumentException("reportsToBan must be >= 1: " + reportsToBan);
    }
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(room, "room");
    if (room.isEmpty()) {
      throw new IllegalArgumentException("room must not be empty");
    }
    Objects.requireNonNull(approvals, "approvals");
    Objects.requireNonNull(grantFailureDelay, "grantFailureDelay");
    if (grantFailureDelay.isNegative()) {
      throw new IllegalArgumentException("grantFailureDelay must not be negative");
    }
    if (maxPendingOffers < 1) {
      throw new IllegalArgumentException("maxPendingOffers must be >= 1: " + maxPendingOffers);
    }
    requirePositive(helloTimeout, "helloTimeout");
    requirePositive(banDuration, "banDuration");
    if (maxPendingApprovals < 1) {
      throw new IllegalArgumentException("maxPendingApprovals must be >= 1: " + maxPendingApprovals);
    }
    if (maxPendingApprovalsPerAddress < 1) {
      throw new IllegalArgumentException(
          "maxPendingApprovalsPerAddress must be >= 1: " + maxPendingApprovalsPerAddress);
    }
    if (maxClaimedSegments < 1) {
      throw new IllegalArgumentException("maxClaimedSegments must be >= 1: " + maxClaimedSegments);
    }
    if (maxUploadSlots < 0) {
      throw new IllegalArgumentException("maxUploadSlots must be >= 0: " + maxUploadSlots);
    }
    Objects.requireNonNull(onReport, "onReport");
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }

  /** Builds a {@link CoordinatorConfig}; the defaults are documented on the record. */
  public static final class Builder {
    private IceServers iceServers = IceServers.none();
    private Duration heartbeat = Duration.ofSeconds(1);
    private Duration expiry = Duration.ofSeconds(3);
    private int peersPerList = 5;
    private int maxMessagesPerSecond = 50;
    private int registrationsPerAddressPerMinute = 60;
    private int reportsToBan = 2;
    private String superPeerToken;
    private SegmentScheduler scheduler = SegmentScheduler.standard();
    private Clock clock = Clock.systemUTC();
    private String room = "default";
    private ContributorTokens contributorTokens;
    private ContributionApprovals approvals;
    private Duration grantFailureDelay = Duration.ofMillis(250);
    private int maxPendingOffers = 16;
    private Duration helloTimeout = Duration.ofSeconds(3);
    private Duration banDuration = Duration.ofMinutes(10);
    private int maxPendingApprovals = 32;
    private int maxPendingApprovalsPerAddress = 2;
    private int maxClaimedSegments = 4096;
    private int maxUploadSlots = 8;
    private Consumer<PeerReport> onReport = r -> {};

    private Builder() {}

    public Builder helloTimeout(Duration helloTimeout) {
      this.helloTimeout = helloTimeout;
      return this;
    }

    public Builder banDuration(Duration banDuration) {
      this.banDuration = banDuration;
      return this;
    }

    public Builder maxPendingApprovals(int maxPendingApprovals) {
      this.maxPendingApprovals = maxPendingApprovals;
      return this;
    }

    public Builder maxPendingApprovalsPerAddress(int maxPendingApprovalsPerAddress) {
      this.maxPendingApprovalsPerAddress = maxPendingApprovalsPerAddress;
      return this;
    }

    public Builder maxClaimedSegments(int maxClaimedSegments) {
      this.maxClaimedSegments = maxClaimedSegments;
      return this;
    }

    public Builder maxUploadSlots(int maxUploadSlots) {
      this.maxUploadSlots = maxUploadSlots;
      return this;
    }

    /** Hears every {@code report} and its outcome (see {@link PeerReport}). */
    public Builder onReport(Consumer<PeerReport> onReport) {
      this.onReport = onReport;
      return this;
    }

    public Builder room(String room) {
      this.room = room;
      return this;
    }

    public Builder contributorTokens(ContributorTokens contributorTokens) {
      this.contributorTokens = contributorTokens;
      return this;
    }

    public Builder approvals(ContributionApprovals approvals) {
      this.approvals = approvals;
      return this;
    }

    public Builder maxPendingOffers(int maxPendingOffers) {
      this.maxPendingOffers = maxPendingOffers;
      return this;
    }

    public Builder grantFailureDelay(Duration grantFailureDelay) {
      this.grantFailureDelay = grantFailureDelay;
      return this;
    }

    /** The same servers for every peer; TURN credentials given here reach every visitor. */
    public Builder iceServers(List<IceServer> iceServers) {
      this.iceServers = IceServers.of(iceServers);
      return this;
    }

    /** Servers chosen per peer, e.g. {@link IceServers#turnRest} credentials. */
    public Builder iceServers(IceServers iceServers) {
      this.iceServers = iceServers;
      return this;
    }

    public Builder heartbeat(Duration heartbeat) {
      this.heartbeat = heartbeat;
      return this;
    }

    public Builder expiry(Duration expiry) {
      this.expiry = expiry;
      return this;
    }

    public Builder peersPerList(int peersPerList) {
      this.peersPerList = peersPerList;
      return this;
    }

    public Builder maxMessagesPerSecond(int maxMessagesPerSecond) {
      this.maxMessagesPerSecond = maxMessagesPerSecond;
      return this;
    }

    public Builder registrationsPerAddressPerMinute(int registrations) {
      this.registrationsPerAddressPerMinute = registrations;
      return this;
    }

    public Builder reportsToBan(int reportsToBan) {
      this.reportsToBan = reportsToBan;
      return this;
    }

    public Builder superPeerToken(String superPeerToken) {
      this.superPeerToken = superPeerToken;
      return this;
    }

    public Builder scheduler(SegmentScheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** @throws IllegalArgumentException if a value is out of range */
    public CoordinatorConfig build() {
      return new CoordinatorConfig(
          iceServers, heartbeat, expiry, peersPerList, maxMessagesPerSecond, registrationsPerAddressPerMinute,
          reportsToBan, superPeerToken, scheduler, clock, room, contributorTokens,
          approvals != null ? approvals : new ContributionApprovals(clock, Duration.ofMinutes(30)),
          grantFailureDelay, maxPendingOffers, helloTimeout, banDuration, maxPendingApprovals,
          maxPendingApprovalsPerAddress, maxClaimedSegments, maxUploadSlots, onReport);
    }
  }
}
