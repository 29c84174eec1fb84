package io.p2pcollab.tracker;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, expiring contributor tokens: the host application issues one to a visitor it allows to
 * go live in one room with one stream; the Coordinator checks it whenever the visitor uses it.
 *
 * <p>A token is {@code base64url(claims) "." base64url(signature)}; the claims are a JSON object
 * {@code {"v":1,"alg":…,"room":…,"stream":…,"sub":…,"iat":…,"exp":…,"jti":…}} (seconds since the
 * epoch). The algorithm is fixed when this object is made — HMAC-SHA256 with a shared secret, or
 * Ed25519 with a key pair whose private half may stay with the host — and a token naming another
 * {@code alg} is refused: the token never chooses how it is checked.
 *
 * <p>{@link #verify} checks signature, algorithm, room, stream and expiry (with the configured
 * clock skew); {@link #redeem} also makes the token single-use: its {@code jti} is remembered
 * until it expires, so presenting it again is a replay ({@code TOKEN_REPLAYED}). Starting a
 * contribution redeems; checking a running one verifies.
 *
 * <p>Threading: safe for concurrent use (the replay store is guarded by a monitor).
 */
public final class ContributorTokens {

  /** How tokens are signed. */
  public enum Algorithm {
    HMAC_SHA256("HS256"),
    ED25519("EdDSA");

    private final String claim;

    Algorithm(String claim) {
      this.claim = claim;
    }
  }

  /** The default lifetime of an issued token. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder D64 = Base64.getUrlDecoder();
  private static final int MAX_TOKEN_CHARS = 2048;

  private final Algorithm algorithm;
  private final byte[] secret;
  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final Clock clock;
  private final Duration skew;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Instant> redeemed = new HashMap<>();

  private ContributorTokens(
      Algorithm algorithm, byte[] secret, PrivateKey privateKey, PublicKey publicKey, Clock clock, Duration skew) {
    this.algorithm = algorithm;
    this.secret = secret;
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.skew = Objects.requireNonNull(skew, "skew");
    if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException("skew must be between 0 and 5 minutes: " + skew);
    }
  }

  /**
   * HMAC-SHA256 tokens with a shared secret of at least 32 bytes.
   *
   * @param skew how far the issuer's and the checker's clocks may disagree
   */
  public static ContributorTokens hmacSha256(byte[] secret, Clock clock, Duration skew) {
    if (secret.length < 32) {
      throw new IllegalArgumentException("an HMAC-SHA256 secret needs at least 32 bytes");
    }
    return new ContributorTokens(Algorithm.HMAC_SHA256, secret.clone(), null, null, clock, skew);
  }

  /**
   * Ed25519 tokens. With {@code privateKey} null this object only checks (the Coordinator's side
   * when the host issues elsewhere).
   */
  public static ContributorTokens ed25519(PrivateKey privateKey, PublicKey publicKey, Clock clock, Duration skew) {
    Objects.requireNonNull(publicKey, "publicKey");
    if (!"Ed25519".equals(publicKey.getAlgorithm()) && !"EdDSA".equals(publicKey.getAlgorithm())) {
      throw new IllegalArgumentException("not an Ed25519 key: " + publicKey.getAlgorithm());
    }
    return new ContributorTokens(Algorithm.ED25519, null, privateKey, publicKey, clock, skew);
  }

  /**
   * How far the issuer's and the checker's clocks may disagree: a token is accepted until its
   * {@code exp} plus this, and a contribution it started ends then.
   */
  public Duration skew() {
    return skew;
  }

  /** The algorithm this object signs and accepts. */
  public Algorithm algorithm() {
    return algorithm;
  }

  /** A token for {@code subject} to contribute {@code stream} in {@code room}, valid for {@link #DEFAULT_TTL}. */
  public String issue(String room, String stream, String subject) {
    return issue(room, stream, subject, DEFAULT_TTL);
  }

  /**
   * A token for {@code subject} to contribute {@code stream} in {@code room}, valid for {@code ttl}.
   *
   * @throws IllegalStateException if this object only checks
   */
  public String issue(String room, String stream, String subject, Duration ttl) {
    if (algorithm == Algorithm.ED25519 && privateKey == null) {
      throw new IllegalStateException("this ContributorTokens only checks tokens");
    }
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(Duration.ofHours(24)) > 0) {
      throw new IllegalArgumentException("ttl must be positive and at most 24 h: " + ttl);
    }
    Instant now = clock.instant();
    byte[] jti = new byte[16];
    random.nextBytes(jti);
    String claims = new StringBuilder("{\"v\":1,\"alg\":").append(json(algorithm.claim))
        .append(",\"room\":").append(json(room))
        .append(",\"stream\":").append(json(stream))
        .append(",\"sub\":").append(json(subject))
        .append(",\"iat\":").append(now.getEpochSecond())
        .append(",\"exp\":").append(now.plus(ttl).getEpochSecond())
        .append(",\"jti\":").append(json(B64.encodeToString(jti)))
        .append('}').toString();
    String body = B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    return body + "." + B64.encodeToString(sign(body.getBytes(StandardCharsets.US_ASCII)));
  }

  /** What a valid token grants. */
  public record Claims(String room, String stream, String subject, Instant issuedAt, Instant expiresAt, String id) {}

  /**
   * Checks {@code token} for {@code room} and {@code stream} without using it up.
   *
   * @throws P2pCollabException {@code TOKEN_INVALID} (malformed, forged, other algorithm, other
   *     room or stream) or {@code TOKEN_EXPIRED}
   */
  public Claims verify(String token, String room, String stream) {
    if (token == null || token.length() > MAX_TOKEN_CHARS) {
      throw invalid("missing or oversize token");
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      throw invalid("not a contributor token");
    }
    String body = token.substring(0, dot);
    byte[] signature;
    byte[] claimsBytes;
    try {
      signature = D64.decode(token.substring(dot + 1));
      claimsBytes = D64.decode(body);
    } catch (IllegalArgumentException e) {
      throw invalid("not base64url");
    }
    // The signature is checked before anything in the claims is believed.
    if (!signatureMatches(body.getBytes(StandardCharsets.US_ASCII), signature)) {
      throw invalid("signature does not verify");
    }
    JsonObject c;
    try {
      c = JsonParser.parseString(new String(claimsBytes, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw invalid("claims are not a JSON object");
    }
    if (number(c, "v") != 1 || !algorithm.claim.equals(string(c, "alg"))) {
      throw invalid("wrong version or algorithm");
    }
    if (!room.equals(string(c, "room")) || !stream.equals(string(c, "stream"))) {
      throw invalid("the token is for another room or stream");
    }
    long iat = number(c, "iat");
    long exp = number(c, "exp");
    String sub = string(c, "sub");
    String jti = string(c, "jti");
    if (iat < 0 || exp < 0 || sub == null || jti == null) {
      throw invalid("missing claims");
    }
    Instant now = clock.instant();
    if (now.isAfter(Instant.ofEpochSecond(exp).plus(skew))) {
      throw new P2pCollabException(ErrorCode.TOKEN_EXPIRED, "the contributor token expired", "contribute", null);
    }
    if (now.plus(skew).isBefore(Instant.ofEpochSecond(iat))) {
      throw invalid("the token is not valid yet");
    }
    return new Claims(room, stream, sub, Instant.ofEpochSecond(iat), Instant.ofEpochSecond(exp), jti);
  }

  /**
   * {@link #verify} and use the token up: a second redeem of the same token is a replay.
   *
   * @throws P2pCollabException as {@link #verify}, or {@code TOKEN_REPLAYED}
   */
  public Claims redeem(String token, String room, String stream) {
    Claims claims = verify(token, room, stream);
    Instant now = clock.instant();
    synchronized (redeemed) {
      for (Iterator<Instant> it = redeemed.values().iterator(); it.hasNext(); ) {
        if (now.isAfter(it.next().plus(skew))) {
          it.remove(); // expired tokens fail verify() anyway: no need to remember them
        }
      }
      if (redeemed.putIfAbsent(claims.id(), claims.expiresAt()) != null) {
        throw new P2pCollabException(ErrorCode.TOKEN_REPLAYED, "the contributor token was already used", "contribute", null);
      }
    }
    return claims;
  }

  private byte[] sign(byte[] data) {
    try {
      if (algorithm == Algorithm.HMAC_SHA256) {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        return mac.doFinal(data);
      }
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot sign with " + algorithm, e);
    }
  }

  private boolean signatureMatches(byte[] data, byte[] signature) {
    try {
      if (algorithm == Algorithm.HMAC_SHA256) {
        return MessageDigest.isEqual(sign(data), signature);
      }
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(publicKey);
      s.update(data);
      return s.verify(signature);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException(e);
    } catch (GeneralSecurityException e) {
      return false; // a malformed signature
    }
  }

  private static String string(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
  }

  private static long number(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      return -1;
    }
    try {
      return e.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
    } catch (ArithmeticException ex) {
      return -1;
    }
  }

  private static P2pCollabException invalid(String why) {
    return new P2pCollabException(ErrorCode.TOKEN_INVALID, "invalid contributor token: " + why, "contribute", null);
  }

  private static String json(String s) {
    Objects.requireNonNull(s);
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (ch < 0x20) {
            b.append(String.format("\\u%04x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
