package io.p2pcollab.core.internal;

import io.p2pcollab.core.SegmentRef;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The signed-integrity primitives (docs/protocol.md "Signed integrity") on the JDK's Ed25519
 * (SunEC, JDK 15+): the statement byte string, raw-key and base64url encodings. Not API.
 */
public final class Ed25519 {

  /** Raw public keys and seeds are 32 bytes. */
  public static final int KEY_BYTES = 32;
  /** Signatures are 64 bytes. */
  public static final int SIGNATURE_BYTES = 64;

  /**
   * Domain separation: a signature made for a segment can never be mistaken for a signature over
   * anything else this key might sign later, and a future statement format gets a new context.
   */
  public static final String CONTEXT = "p2p-collab/segment/v1";

  /**
   * The DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (RFC 8410): SEQUENCE { SEQUENCE {
   * OID 1.3.101.112 }, BIT STRING (32 bytes) }. Prepending it to a raw key is the portable way to
   * hand a raw key to the JDK, which has no raw import.
   */
  private static final byte[] SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private Ed25519() {}

  /**
   * The exact bytes signed for a segment: {@code CONTEXT}, 0x00, str8 stream, str8 track, u32
   * number, u32 length, 32 bytes SHA-256 (integers big-endian, strings with a one-byte length, as
   * on the wire). Every field has a fixed size or a length prefix, so two different segments never
   * give the same statement.
   */
  public static byte[] statement(SegmentRef ref, long length, byte[] sha256) {
    Checks.u32(length, "length");
    if (sha256.length != 32) {
      throw new IllegalArgumentException("sha256 must be 32 bytes: " + sha256.length);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(CONTEXT.length() + 1 + 2 + 128 + 8 + 32);
    out.writeBytes(CONTEXT.getBytes(StandardCharsets.US_ASCII));
    out.write(0);
    str8(out, ref.stream());
    str8(out, ref.track());
    u32(out, ref.number());
    u32(out, length);
    out.writeBytes(sha256);
    return out.toByteArray();
  }

  private static void str8(ByteArrayOutputStream out, String s) {
    // IDs are ASCII of at most 64 characters (SegmentRef checked them).
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    out.write(b.length);
    out.writeBytes(b);
  }

  private static void u32(ByteArrayOutputStream out, long v) {
    out.write((int) (v >>> 24));
    out.write((int) (v >>> 16));
    out.write((int) (v >>> 8));
    out.write((int) v);
  }

  /** A JDK public key from the 32-byte raw encoding of RFC 8032. */
  public static PublicKey publicKey(byte[] raw) throws GeneralSecurityException {
    if (raw.length != KEY_BYTES) {
      throw new IllegalArgumentException("an Ed25519 public key is 32 bytes: " + raw.length);
    }
    byte[] der = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + KEY_BYTES);
    System.arraycopy(raw, 0, der, SPKI_PREFIX.length, KEY_BYTES);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
  }

  /** The 32-byte raw encoding of a JDK Ed25519 public key (the tail of its X.509 encoding). */
  public static byte[] raw(PublicKey key) {
    byte[] der = key.getEncoded();
    if (der.length != SPKI_PREFIX.length + KEY_BYTES
        || !Arrays.equals(der, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
      throw new IllegalArgumentException("not an Ed25519 public key: " + key.getAlgorithm());
    }
    return Arrays.copyOfRange(der, SPKI_PREFIX.length, der.length);
  }

  public static byte[] sign(PrivateKey key, byte[] message) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  /**
   * True if {@code signature} is valid; false for a wrong, malformed or non-canonical one (the
   * JDK rejects S >= L, so a signature cannot be altered into another valid one).
   */
  public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
    try {
      // Signature objects are stateful: one per call keeps verifiers safe to share.
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  public static String encodeBase64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Decodes unpadded base64url of exactly {@code bytes} bytes, in its canonical spelling only (the
   * one {@link #encodeBase64Url} gives), so each value has one text form in Java and JS alike.
   *
   * @throws IllegalArgumentException otherwise
   */
  public static byte[] decodeBase64Url(String text, int bytes, String what) {
    int chars = (bytes * 4 + 2) / 3;
    if (text == null || text.length() != chars) {
      throw new IllegalArgumentException(what + " must be " + chars + " base64url characters");
    }
    byte[] decoded;
    try {
      decoded = Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not base64url", e);
    }
    if (decoded.length != bytes || !encodeBase64Url(decoded).equals(text)) {
      throw new IllegalArgumentException(what + " is not canonical base64url of " + bytes + " bytes");
    }
    return decoded;
  }
}
