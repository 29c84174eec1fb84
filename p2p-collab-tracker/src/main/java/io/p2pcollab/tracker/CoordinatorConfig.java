package io.p2pcollab.tracker;

import io.p2pcollab.core.IceServer;
import io.p2pcollab.core.SegmentScheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of a {@link io.p2pcollab.core.Coordinator}. Build with {@link #builder()}.
 *
 * @param iceServers STUN/TURN servers handed to peers in {@code welcome} (default none: host
 *     candidates only, enough on one network)
 * @param heartbeat how often peers report their state, told to them in {@code welcome}
 *     (default 1 s)
 * @param expiry how long a peer may stay silent (no message, no pong) before it is removed from
 *     every table (default 3 s, the thesis' figure)
 * @param peersPerList the most peers in one {@code joined}/{@code peers} list (default 5)
 * @param maxMessagesPerSecond messages one peer may send per second on average, with bursts of
 *     twice as many (default 50); beyond it messages are refused with {@code RATE_LIMITED}
 * @param registrationsPerAddressPerMinute page visits one network address may register per minute
 *     (default 60); more are refused with {@code RATE_LIMITED} and their socket closed
 * @param reportsToBan how many distinct peers must report a peer for bad segments before it is
 *     banned for the rest of its page visit: no longer handed out, its relays refused (default 2)
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
 */
public record CoordinatorConfig(
    List<IceServer> iceServers,
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
    int maxPendingOffers) {

  public CoordinatorConfig {
    iceServers = List.copyOf(iceServers);
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
    private List<IceServer> iceServers = List.of();
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

    private Builder() {}

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

    public Builder iceServers(List<IceServer> iceServers) {
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
          grantFailureDelay, maxPendingOffers);
    }
  }
}
