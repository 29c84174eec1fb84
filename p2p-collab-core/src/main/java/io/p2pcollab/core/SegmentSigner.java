package io.p2pcollab.core;

import io.p2pcollab.core.internal.Ed25519;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;

/**
 * Signs the segments of one stream with that stream's Ed25519 key (docs/protocol.md "Signed
 * integrity"). The Media Server makes one per stream when the stream starts ({@link #generate()}),
 * signs every segment once when it is complete, sends the result with the segment (the {@code
 * P2P-Collab-Statement} header, and its super-peer's STATEMENT), publishes it in {@code
 * signatures.json} ({@link SegmentSignature#toJson}) and hands {@link #publicKey()} to the
 * Coordinator, which gives it to peers in {@code joined.stream.publicKey}.
 *
 * <p>A fresh key per stream start is what keeps a signature from an earlier run of the stream,
 * whose segment numbers the encoder may reuse, from verifying in this one: there is no rotation and
 * nothing to revoke.
 *
 * <p>Threading: immutable and safe for concurrent use.
 */
public final class SegmentSigner {

  private final KeyPair keys;
  private final String publicKey;

  private SegmentSigner(KeyPair keys) {
    this.keys = keys;
    this.publicKey = Ed25519.encodeBase64Url(Ed25519.raw(keys.getPublic()));
  }

  /** A signer with a new random key (from the platform's strong {@link SecureRandom}). */
  public static SegmentSigner generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      return new SegmentSigner(g.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is not available (needs JDK 15+)", e);
    }
  }

  /**
   * The signer of the RFC 8032 private key {@code seed} (32 bytes): the same seed always gives the
   * same key and, Ed25519 being deterministic, the same signatures. For tests and for hosts that
   * keep a stream's key across restarts of the Media Server.
   *
   * @throws IllegalArgumentException if {@code seed} is not 32 bytes
   */
  public static SegmentSigner fromSeed(byte[] seed) {
    if (seed.length != Ed25519.KEY_BYTES) {
      throw new IllegalArgumentException("an Ed25519 seed is 32 bytes: " + seed.length);
    }
    byte[] copy = seed.clone();
    try {
      // JDK 17 has no "public key of this private key" call, but its generator draws exactly the
      // 32 seed bytes from the random source it is given and derives the public key from them.
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      g.initialize(NamedParameterSpec.ED25519, new FixedSeed(copy));
      return new SegmentSigner(g.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is not available (needs JDK 15+)", e);
    } finally {
      Arrays.fill(copy, (byte) 0);
    }
  }

  /** The public key: the 32-byte raw key as unpadded base64url (43 characters). */
  public String publicKey() {
    return publicKey;
  }

  /** A verifier for this signer's key. */
  public SegmentVerifier verifier() {
    return SegmentVerifier.forPublicKey(publicKey);
  }

  /**
   * Signs {@code segment}, the complete bytes of {@code ref}.
   *
   * @throws IllegalArgumentException if the segment is empty or over 2^32-1 bytes
   */
  public SegmentSignature sign(SegmentRef ref, byte[] segment) {
    if (segment.length == 0) {
      throw new IllegalArgumentException("a segment cannot be empty");
    }
    byte[] sha256 = Hashes.sha256(segment);
    byte[] sig = Ed25519.sign(keys.getPrivate(), Ed25519.statement(ref, segment.length, sha256));
    return new SegmentSignature(
        segment.length, Hashes.sha256Hex(segment), Ed25519.encodeBase64Url(sig));
  }

  @Override
  public String toString() {
    return "SegmentSigner[publicKey=" + publicKey + "]";
  }

  /** A "random" source that yields one fixed seed, once. */
  private static final class FixedSeed extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final transient byte[] seed;
    private transient boolean used;

    FixedSeed(byte[] seed) {
      this.seed = seed;
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (used || bytes.length != seed.length) {
        throw new IllegalStateException("the Ed25519 generator asked for other bytes than one seed");
      }
      used = true;
      System.arraycopy(seed, 0, bytes, 0, seed.length);
    }
  }
}
