package io.p2pcollab.tracker.internal;

import io.p2pcollab.tracker.NetworkAddresses;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Counts the open sockets of each network address and decides what happens to a new one. An
 * address is an IPv4 address or an IPv6 /64 (one customer's prefix: a host there picks new
 * addresses inside it at will, so counting single IPv6 addresses would count nothing).
 *
 * <p>Up to {@code max} sockets per address are {@link Admission#ADMITTED}. The next {@code max}
 * are {@link Admission#REFUSED}: counted, and allowed to finish their handshake only to be told
 * why they are closed (a browser then shows the error code instead of a bare network error).
 * Beyond {@code 2 × max} a socket is {@link Admission#DROPPED}: closed at once and not counted, so
 * one address never holds more than {@code 2 × max} sockets, however fast it connects. Addresses
 * in {@code uncapped} (e.g. a reverse proxy on this machine) are admitted without counting.
 *
 * <p>Threading: every method is synchronized; the adapter admits on its selector thread and
 * releases from whichever thread closes the socket.
 */
public final class ConnectionsPerAddress {

  /** What becomes of a new socket. */
  public enum Admission {
    /** Within the cap. */
    ADMITTED,
    /** Over the cap: counted until closed; it is told {@code TOO_MANY_CONNECTIONS} and closed. */
    REFUSED,
    /** Far over the cap: closed at once, not counted. */
    DROPPED
  }

  private final int max;
  private final Set<InetAddress> uncapped;
  private final Map<String, Integer> counts = new HashMap<>();
  private final Map<Object, String> held = new IdentityHashMap<>();

  /**
   * @param max sockets admitted per address, at least 1
   * @param uncapped addresses never counted
   * @throws IllegalArgumentException if {@code max < 1}
   */
  public ConnectionsPerAddress(int max, Set<InetAddress> uncapped) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1: " + max);
    }
    this.max = max;
    this.uncapped = Set.copyOf(uncapped);
  }

  /**
   * Decides on socket {@code socket} from {@code address}; unless {@link Admission#DROPPED} (or
   * uncapped), it counts until {@link #release}. Each socket is admitted once.
   */
  public synchronized Admission admit(Object socket, InetAddress address) {
    if (uncapped.contains(address)) {
      return Admission.ADMITTED;
    }
    String key = NetworkAddresses.key(address);
    int n = counts.getOrDefault(key, 0);
    if (n >= 2L * max) {
      return Admission.DROPPED;
    }
    counts.put(key, n + 1);
    held.put(socket, key);
    return n < max ? Admission.ADMITTED : Admission.REFUSED;
  }

  /** Forgets {@code socket}; idempotent, and a no-op for sockets never counted. */
  public synchronized void release(Object socket) {
    String key = held.remove(socket);
    if (key != null) {
      counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  /** Sockets currently counted for {@code address}'s network address. */
  public synchronized int count(InetAddress address) {
    return counts.getOrDefault(NetworkAddresses.key(address), 0);
  }

  /** Sockets currently counted over all addresses. */
  public synchronized int total() {
    return held.size();
  }


}
