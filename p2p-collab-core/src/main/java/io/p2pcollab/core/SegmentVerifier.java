package io.p2pcollab.core;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.p2pcollab.core.internal.Checks;
import io.p2pcollab.core.internal.Ed25519;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Checks what peers hand us against the stream's public key (docs/protocol.md "Signed
 * integrity"). A peer plays or re-shares a segment it got from another peer only if {@link
 * #verify(SegmentRef, SegmentSignature, byte[])} is true.
 *
 * <p>Typical use (§2.7, §6.4): on {@code joined}, {@code forPublicKey(stream.publicKey())}; when a
 * peer answers a REQUEST with its {@link WireMessage.Statement}, {@link #verify(SegmentRef,
 * SegmentSignature)} it against the segment asked for before taking any DATA; refuse the first DATA
 * chunk unless its totalLength equals the statement's {@link SegmentSignature#length()}, and once
 * the segment is assembled, accept it only if {@link SegmentSignature#matches(byte[])}. Any failure
 * means the sending peer broke the protocol. Over HTTP the statement is the {@code
 * P2P-Collab-Statement} header, read with {@link #parseEntry(String)}; tools and HTTP-only clients
 * may read the whole window's {@code signatures.json} with {@link #verifyAll}.
 *
 * <p>Threading: immutable and safe for concurrent use.
 */
public final class SegmentVerifier {

  /** Largest {@code signatures.json} accepted, in characters (1 MiB, ~5000 entries). */
  public static final int MAX_SIGNATURES_CHARS = 1 << 20;

  private static final int MAX_DEPTH = 16;

  private final String publicKey;
  private final PublicKey key;

  private SegmentVerifier(String publicKey, PublicKey key) {
    this.publicKey = publicKey;
    this.key = key;
  }

  /**
   * A verifier for {@code publicKey}, the stream's 32-byte raw Ed25519 key as unpadded base64url
   * (43 characters), as in {@code joined.stream.publicKey}.
   *
   * @throws IllegalArgumentException if it is not one
   */
  public static SegmentVerifier forPublicKey(String publicKey) {
    byte[] raw = Ed25519.decodeBase64Url(publicKey, Ed25519.KEY_BYTES, "publicKey");
    try {
      return new SegmentVerifier(publicKey, Ed25519.publicKey(raw));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 public key: " + publicKey, e);
    }
  }

  /** The key, as given. */
  public String publicKey() {
    return publicKey;
  }

  /** True if {@code signature} is this key's signature over {@code ref}'s length and SHA-256. */
  public boolean verify(SegmentRef ref, SegmentSignature signature) {
    byte[] statement = Ed25519.statement(ref, signature.length(), signature.sha256Bytes());
    return Ed25519.verify(key, statement, signature.sigBytes());
  }

  /**
   * True if {@code segment} is the genuine content of {@code ref}: the signature verifies and the
   * bytes have the signed length and SHA-256.
   */
  public boolean verify(SegmentRef ref, SegmentSignature signature, byte[] segment) {
    return signature.matches(segment) && verify(ref, signature);
  }

  /**
   * The entries of {@code json}, the {@code signatures.json} of {@code stream}, whose signatures
   * verify. An entry that is malformed, is listed under a name that is not a segment file name,
   * or does not verify is left out and described in {@link Result#rejected()}; the others are
   * still usable.
   *
   * @throws P2pCollabException {@link ErrorCode#FRAME_TOO_LARGE} over {@link
   *     #MAX_SIGNATURES_CHARS}; {@link ErrorCode#BAD_MESSAGE} if it is not one JSON object (or is
   *     nested deeper than 16)
   * @throws IllegalArgumentException if {@code stream} is not a stream ID
   */
  public Result verifyAll(String stream, String json) {
    Checks.name(stream, "stream");
    JsonObject root = parse(json);
    Map<SegmentRef, SegmentSignature> trusted = new LinkedHashMap<>();
    Map<String, String> rejected = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : root.entrySet()) {
      String name = e.getKey();
      Optional<SegmentRef> ref = SegmentRef.fromFileName(stream, name);
      if (ref.isEmpty()) {
        rejected.put(shorten(name), "not a segment file name");
        continue;
      }
      SegmentSignature signature;
      try {
        signature = entry(e.getValue());
      } catch (IllegalArgumentException bad) {
        rejected.put(name, bad.getMessage());
        continue;
      }
      if (!verify(ref.get(), signature)) {
        rejected.put(name, "signature does not verify");
        continue;
      }
      trusted.put(ref.get(), signature);
    }
    return new Result(trusted, rejected);
  }

  /**
   * One statement written as a {@code signatures.json} entry, {@code {"length": n, "sha256": hex,
   * "sig": base64url}} (unknown fields ignored): the value of the origin's {@code
   * P2P-Collab-Statement} header (docs/protocol.md §2.7). Parsed only, not verified: call {@link
   * #verify(SegmentRef, SegmentSignature)} with the segment the response is for.
   *
   * @throws P2pCollabException {@link ErrorCode#BAD_MESSAGE} if it is not one JSON object with
   *     those fields well formed; {@link ErrorCode#FRAME_TOO_LARGE} over {@link
   *     #MAX_SIGNATURES_CHARS}
   */
  public static SegmentSignature parseEntry(String json) {
    JsonObject root = parse(json);
    try {
      return entry(root);
    } catch (IllegalArgumentException bad) {
      throw new P2pCollabException(ErrorCode.BAD_MESSAGE, "malformed statement: " + bad.getMessage(), bad);
    }
  }

  /**
   * What {@link #verifyAll} found.
   *
   * @param trusted the verified entries, in file order
   * @param rejected the names of the entries left out (cut to 80 characters), in file order, each
   *     with why; worth a WARN: the file was damaged or forged on its way, or the server has a bug
   */
  public record Result(Map<SegmentRef, SegmentSignature> trusted, Map<String, String> rejected) {
    public Result {
      trusted = Collections.unmodifiableMap(new LinkedHashMap<>(trusted));
      rejected = Collections.unmodifiableMap(new LinkedHashMap<>(rejected));
    }
  }

  private static JsonObject parse(String json) {
    if (json == null) {
      throw new P2pCollabException(ErrorCode.BAD_MESSAGE, "no signatures");
    }
    if (json.length() > MAX_SIGNATURES_CHARS) {
      throw new P2pCollabException(
          ErrorCode.FRAME_TOO_LARGE, "signatures over " + MAX_SIGNATURES_CHARS + " characters");
    }
    JsonReader reader = new JsonReader(new StringReader(json));
    reader.setStrictness(Strictness.STRICT);
    reader.setNestingLimit(MAX_DEPTH);
    try {
      JsonElement root = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new P2pCollabException(ErrorCode.BAD_MESSAGE, "trailing data after the signatures");
      }
      if (!root.isJsonObject()) {
        throw new P2pCollabException(ErrorCode.BAD_MESSAGE, "signatures are not a JSON object");
      }
      return root.getAsJsonObject();
    } catch (JsonParseException | IOException | IllegalStateException e) {
      throw new P2pCollabException(ErrorCode.BAD_MESSAGE, "invalid signatures JSON: " + e.getMessage(), e);
    }
  }

  /** One entry, {@code {"length": n, "sha256": hex, "sig": base64url}}; other fields are ignored. */
  private static SegmentSignature entry(JsonElement e) {
    if (!e.isJsonObject()) {
      throw new IllegalArgumentException("entry is not an object");
    }
    JsonObject o = e.getAsJsonObject();
    return new SegmentSignature(integer(o.get("length")), string(o, "sha256"), string(o, "sig"));
  }

  private static long integer(JsonElement e) {
    if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      String text = e.getAsJsonPrimitive().getAsString();
      if (text.length() <= 40) {
        try {
          // Integral values in any spelling (42, 42.0, 4.2e1), as JavaScript reads them.
          BigDecimal d = new BigDecimal(text);
          if (d.signum() > 0 && d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
            return d.longValueExact();
          }
        } catch (NumberFormatException | ArithmeticException ignored) {
          // falls through to the refusal
        }
      }
    }
    throw new IllegalArgumentException("length must be a positive integer");
  }

  private static String string(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (e instanceof JsonPrimitive p && p.isString()) {
      return p.getAsString();
    }
    throw new IllegalArgumentException(name + " must be a string");
  }

  private static String shorten(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }

  @Override
  public String toString() {
    return "SegmentVerifier[publicKey=" + publicKey + "]";
  }
}
