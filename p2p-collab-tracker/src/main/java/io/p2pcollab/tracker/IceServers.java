package io.p2pcollab.tracker;

import io.p2pcollab.core.IceServer;
import io.p2pcollab.core.PeerId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The STUN/TURN servers the Coordinator hands each peer in {@code welcome}, chosen per peer so that
 * TURN credentials can be made for one peer and expire.
 *
 * <ul>
 *   <li>{@link #of(List)}: the same servers for everyone. Fine for STUN; TURN credentials given here
 *       are <em>static</em> and reach every visitor, who can then relay anything through your TURN
 *       server for as long as the credentials stand.
 *   <li>{@link #turnRest}: time-limited TURN credentials, the "TURN REST API" scheme coturn
 *       supports with {@code use-auth-secret} and {@code static-auth-secret=<secret>}: the user name
 *       is {@code <unix expiry>:<peer ID>}, the credential {@code base64(HMAC-SHA1(secret, user
 *       name))}. The TURN server checks the credential with the shared secret and refuses it after
 *       the expiry; nothing is stored per peer.
 * </ul>
 *
 * Combine them with {@link #and}: {@code IceServers.of(List.of(IceServer.of("stun:…")))
 * .and(IceServers.turnRest(List.of("turn:…"), secret, Duration.ofHours(1)))}.
 *
 * <p>Threading: implementations are immutable and safe for concurrent use; {@link #forPeer} is
 * called on the Coordinator's thread and must return quickly.
 */
@FunctionalInterface
public interface IceServers {

  /** The servers for {@code peer}, registering at {@code now}. */
  List<IceServer> forPeer(PeerId peer, Instant now);

  /** No servers: host candidates only, enough on one network. */
  static IceServers none() {
    return of(List.of());
  }

  /** The same {@code servers} for every peer (static credentials included: see above). */
  static IceServers of(List<IceServer> servers) {
    List<IceServer> copy = List.copyOf(servers);
    return (peer, now) -> copy;
  }

  /**
   * TURN servers with credentials made for each peer that expire {@code ttl} after it registered.
   *
   * @param urls {@code turn:}/{@code turns:} URLs of servers sharing {@code secret}
   * @param secret coturn's {@code static-auth-secret} (its UTF-8 bytes are the HMAC key)
   * @param ttl how long the credentials work (1 minute to 7 days); a visit that outlasts it needs
   *     new ones (a page visit that reconnects gets them in its new {@code welcome})
   * @throws IllegalArgumentException if {@code urls} or {@code secret} is empty, or {@code ttl} is
   *     out of range
   */
  static IceServers turnRest(List<String> urls, String secret, Duration ttl) {
    List<String> copy = List.copyOf(urls);
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(ttl, "ttl");
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("turnRest needs at least one URL");
    }
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("the TURN secret must not be empty");
    }
    if (ttl.compareTo(Duration.ofMinutes(1)) < 0 || ttl.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalArgumentException("ttl must be between 1 minute and 7 days: " + ttl);
    }
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    return (peer, now) -> {
      String username = now.plus(ttl).getEpochSecond() + ":" + peer.value();
      return List.of(new IceServer(copy, username, turnRestCredential(key, username)));
    };
  }

  /**
   * The TURN REST credential for {@code username}: {@code base64(HMAC-SHA1(secret, username))},
   * standard base64 with padding, as coturn computes it.
   */
  static String turnRestCredential(byte[] secret, String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret, "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no HmacSHA1", e);
    }
  }

  /** These servers, then {@code more}'s. */
  default IceServers and(IceServers more) {
    Objects.requireNonNull(more, "more");
    IceServers self = this;
    return (peer, now) -> {
      List<IceServer> all = new ArrayList<>(self.forPeer(peer, now));
      all.addAll(more.forPeer(peer, now));
      return List.copyOf(all);
    };
  }
}
