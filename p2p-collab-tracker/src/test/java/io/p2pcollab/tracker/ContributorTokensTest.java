package io.p2pcollab.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.P2pCollabException;
import io.p2pcollab.core.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Contributor tokens: signed, expiring, bound to one room and stream, single-use to start. */
class ContributorTokensTest {

  private final ManualClock clock = new ManualClock();
  private final byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private final ContributorTokens hmac = ContributorTokens.hmacSha256(secret, clock, Duration.ofSeconds(30));

  private static KeyPair ed25519() throws Exception {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  private static ErrorCode codeOf(Runnable r) {
    try {
      r.run();
    } catch (P2pCollabException e) {
      return e.code();
    }
    throw new AssertionError("no exception");
  }

  @Test
  void aValidToken_grantsItsRoomAndStream() {
    String token = hmac.issue("room-1", "cam.alice", "alice");
    ContributorTokens.Claims claims = hmac.verify(token, "room-1", "cam.alice");
    assertThat(claims.subject()).isEqualTo("alice");
    assertThat(claims.expiresAt()).isEqualTo(clock.instant().plus(ContributorTokens.DEFAULT_TTL).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  @Test
  void anExpiredToken_isTokenExpired_beyondTheSkewOnly() {
    String token = hmac.issue("room-1", "cam", "alice", Duration.ofMinutes(5));
    clock.advance(Duration.ofMinutes(5).plusSeconds(29));
    assertThat(hmac.verify(token, "room-1", "cam")).isNotNull();
    clock.advance(Duration.ofSeconds(2));
    assertThat(codeOf(() -> hmac.verify(token, "room-1", "cam"))).isEqualTo(ErrorCode.TOKEN_EXPIRED);
  }

  @Test
  void aTokenFromTheFuture_isAcceptedWithinTheSkewOnly() {
    ManualClock issuerClock = new ManualClock(clock.instant().plusSeconds(20));
    String soon = ContributorTokens.hmacSha256(secret, issuerClock, Duration.ZERO).issue("r", "s", "a");
    assertThat(hmac.verify(soon, "r", "s")).isNotNull();
    issuerClock.advance(Duration.ofSeconds(60));
    String later = ContributorTokens.hmacSha256(secret, issuerClock, Duration.ZERO).issue("r", "s", "a");
    assertThat(codeOf(() -> hmac.verify(later, "r", "s"))).isEqualTo(ErrorCode.TOKEN_INVALID);
  }

  @Test
  void aTokenForAnotherRoomOrStream_isInvalid() {
    String token = hmac.issue("room-1", "cam", "alice");
    assertThat(codeOf(() -> hmac.verify(token, "room-2", "cam"))).isEqualTo(ErrorCode.TOKEN_INVALID);
    assertThat(codeOf(() -> hmac.verify(token, "room-1", "main"))).isEqualTo(ErrorCode.TOKEN_INVALID);
  }

  @Test
  void forgedOrTamperedTokens_areInvalid() {
    String token = hmac.issue("room-1", "cam", "alice");
    ContributorTokens otherSecret =
        ContributorTokens.hmacSha256("another secret, also 32 bytes...".getBytes(StandardCharsets.US_ASCII), clock, Duration.ZERO);
    assertThat(codeOf(() -> otherSecret.verify(token, "room-1", "cam"))).isEqualTo(ErrorCode.TOKEN_INVALID);

    String claims = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8);
    String promoted = Base64.getUrlEncoder().withoutPadding().encodeToString(
        claims.replace("\"sub\":\"alice\"", "\"sub\":\"mallory\"").getBytes(StandardCharsets.UTF_8));
    String tampered = promoted + token.substring(token.indexOf('.'));
    assertThat(codeOf(() -> hmac.verify(tampered, "room-1", "cam"))).isEqualTo(ErrorCode.TOKEN_INVALID);

    for (String garbage : new String[] {"", "x", "a.b.c", "!!!.???", token + "x", "x".repeat(5000)}) {
      assertThat(codeOf(() -> hmac.verify(garbage, "room-1", "cam"))).as(garbage).isEqualTo(ErrorCode.TOKEN_INVALID);
    }
    assertThat(codeOf(() -> hmac.verify(null, "room-1", "cam"))).isEqualTo(ErrorCode.TOKEN_INVALID);
  }

  @Test
  void theAlgorithmIsFixedByConfiguration_neverByTheToken() throws Exception {
    KeyPair keys = ed25519();
    ContributorTokens ed = ContributorTokens.ed25519(keys.getPrivate(), keys.getPublic(), clock, Duration.ZERO);
    String edToken = ed.issue("r", "s", "a");
    assertThat(ed.verify(edToken, "r", "s").subject()).isEqualTo("a");
    // An Ed25519 token shown to an HMAC checker, and an HMAC token to an Ed25519 checker.
    assertThat(codeOf(() -> hmac.verify(edToken, "r", "s"))).isEqualTo(ErrorCode.TOKEN_INVALID);
    assertThat(codeOf(() -> ed.verify(hmac.issue("r", "s", "a"), "r", "s"))).isEqualTo(ErrorCode.TOKEN_INVALID);
    // The classic confusion: an HMAC token keyed with the Ed25519 public key's bytes.
    byte[] pub = keys.getPublic().getEncoded();
    byte[] padded = java.util.Arrays.copyOf(pub, Math.max(32, pub.length));
    String confused = ContributorTokens.hmacSha256(padded, clock, Duration.ZERO).issue("r", "s", "a");
    assertThat(codeOf(() -> ed.verify(confused, "r", "s"))).isEqualTo(ErrorCode.TOKEN_INVALID);
  }

  @Test
  void aCheckOnlyInstance_verifiesButCannotIssue() throws Exception {
    KeyPair keys = ed25519();
    ContributorTokens issuer = ContributorTokens.ed25519(keys.getPrivate(), keys.getPublic(), clock, Duration.ZERO);
    ContributorTokens checker = ContributorTokens.ed25519(null, keys.getPublic(), clock, Duration.ZERO);
    assertThat(checker.verify(issuer.issue("r", "s", "a"), "r", "s")).isNotNull();
    assertThatThrownBy(() -> checker.issue("r", "s", "a")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void redeemingTwice_isAReplay_whileVerifyingStaysPossible() {
    String token = hmac.issue("r", "s", "a");
    hmac.redeem(token, "r", "s");
    assertThat(codeOf(() -> hmac.redeem(token, "r", "s"))).isEqualTo(ErrorCode.TOKEN_REPLAYED);
    assertThat(hmac.verify(token, "r", "s")).as("a running contribution is re-checked with verify").isNotNull();
    assertThat(hmac.redeem(hmac.issue("r", "s", "a"), "r", "s")).as("a fresh token is fine").isNotNull();
  }

  @Test
  void shortSecretsAndWildSkews_areRefused() {
    assertThatThrownBy(() -> ContributorTokens.hmacSha256(new byte[16], clock, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ContributorTokens.hmacSha256(secret, clock, Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
