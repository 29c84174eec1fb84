package io.p2pcollab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.p2pcollab.core.internal.Ed25519;
import io.p2pcollab.core.testing.Fixtures;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The signed-integrity vectors of fixtures/integrity.json (made with Node's OpenSSL Ed25519). */
class SignedIntegrityTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final JsonObject FIXTURE = Fixtures.load("integrity.json");
  private static final JsonObject KEY = FIXTURE.getAsJsonObject("key");
  private static final SegmentSigner SIGNER = SegmentSigner.fromSeed(HEX.parseHex(KEY.get("seed").getAsString()));
  private static final SegmentVerifier VERIFIER = SegmentVerifier.forPublicKey(KEY.get("publicKey").getAsString());

  static Stream<JsonObject> segments() {
    return Fixtures.section("integrity.json", "segments").stream();
  }

  static Stream<JsonObject> rejections() {
    return Fixtures.section("integrity.json", "rejections").stream();
  }

  static Stream<JsonObject> invalidFiles() {
    return Fixtures.section("integrity.json", "invalidFiles").stream();
  }

  static Stream<JsonObject> invalidPublicKeys() {
    return Fixtures.section("integrity.json", "invalidPublicKeys").stream();
  }

  private static SegmentRef ref(JsonObject f) {
    return new SegmentRef(f.get("stream").getAsString(), f.get("track").getAsString(), f.get("number").getAsLong());
  }

  private static SegmentSignature entry(JsonObject f) {
    JsonObject e = f.getAsJsonObject("entry");
    return new SegmentSignature(e.get("length").getAsLong(), e.get("sha256").getAsString(), e.get("sig").getAsString());
  }

  private static byte[] bytes(JsonObject f) {
    return HEX.parseHex(f.get("segment").getAsString());
  }

  @Test
  void seed_givesThePublishedPublicKey() {
    assertThat(SIGNER.publicKey()).isEqualTo(KEY.get("publicKey").getAsString());
    // RFC 8032 §7.1 TEST 1, so the fixture itself is anchored outside this project.
    assertThat(HEX.formatHex(Ed25519.decodeBase64Url(SIGNER.publicKey(), 32, "key")))
        .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    JsonObject other = FIXTURE.getAsJsonObject("otherKey");
    assertThat(SegmentSigner.fromSeed(HEX.parseHex(other.get("seed").getAsString())).publicKey())
        .isEqualTo(other.get("publicKey").getAsString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("segments")
  void segment_statementAndSignatureAreTheFixtures(JsonObject f) {
    SegmentRef ref = ref(f);
    byte[] segment = bytes(f);
    assertThat(ref.fileName()).isEqualTo(f.get("fileName").getAsString());
    assertThat(HEX.formatHex(Ed25519.statement(ref, segment.length, Hashes.sha256(segment))))
        .isEqualTo(f.get("statement").getAsString());
    assertThat(SIGNER.sign(ref, segment)).isEqualTo(entry(f));
    assertThat(entry(f).sha256()).isEqualTo(f.get("sha256").getAsString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("segments")
  void segment_verifies(JsonObject f) {
    assertThat(VERIFIER.verify(ref(f), entry(f))).isTrue();
    assertThat(VERIFIER.verify(ref(f), entry(f), bytes(f))).isTrue();
    assertThat(entry(f).matches(bytes(f))).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejections")
  void rejection_doesNotVerify(JsonObject f) {
    assertThat(VERIFIER.verify(ref(f), entry(f), bytes(f))).as(f.get("why").getAsString()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("segments")
  void entry_travelsAsTheStatementHeader_andReadsBack(JsonObject f) {
    String header = entry(f).toEntryJson();

    assertThat(JsonParser.parseString(header)).as("exactly the fixture's entry").isEqualTo(f.get("entry"));
    assertThat(SegmentVerifier.parseEntry(header)).isEqualTo(entry(f));
    assertThat(SegmentVerifier.parseEntry(f.get("entry").toString())).isEqualTo(entry(f));
  }

  @Test
  void parseEntry_refusesWhatIsNoEntry_withBadMessage() {
    String good = SIGNER.sign(new SegmentRef("main", "0", 1), new byte[] {1}).toEntryJson();
    for (String bad : List.of("", "[]", "{}", good + "x", good.replace("\"length\":1", "\"length\":0"),
        good.replace("\"sig\":\"", "\"sig\":\"A"), "{\"length\":1,\"sha256\":7,\"sig\":\"x\"}")) {
      assertThatThrownBy(() -> SegmentVerifier.parseEntry(bad)).as(bad)
          .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE));
    }
  }

  /** wire.json's STATEMENT is video-42's entry answering request 5: the two fixtures agree. */
  @Test
  void theWireFixturesStatement_isAnEntryOfThisKey_andVerifiesForItsSegment() {
    JsonObject wire = Fixtures.section("wire.json", "valid").stream()
        .filter(v -> v.get("name").getAsString().equals("statement")).findFirst().orElseThrow();
    JsonObject video42 = segments().filter(s -> s.get("name").getAsString().equals("video-42")).findFirst().orElseThrow();

    WireMessage.Statement statement =
        (WireMessage.Statement) WireCodec.binary().decode(ByteBuffer.wrap(HEX.parseHex(wire.get("hex").getAsString())));

    assertThat(statement.requestId()).isEqualTo(5);
    assertThat(statement.signature()).isEqualTo(entry(video42));
    assertThat(VERIFIER.verify(ref(video42), statement.signature(), bytes(video42))).isTrue();
    assertThat(VERIFIER.verify(new SegmentRef("main", "0", 43), statement.signature())).isFalse();
  }

  @Test
  void signaturesFile_trustsExactlyTheGoodEntries() {
    JsonObject file = FIXTURE.getAsJsonObject("signaturesFile");
    SegmentVerifier.Result result =
        VERIFIER.verifyAll(file.get("stream").getAsString(), file.get("json").getAsString());

    assertThat(result.trusted().keySet()).map(SegmentRef::fileName).containsExactlyElementsOf(strings(file, "trusted"));
    assertThat(result.rejected().keySet()).containsExactlyElementsOf(strings(file, "rejected"));
    assertThat(result.rejected()).containsEntry("chunk-stream0-00043.m4s", "signature does not verify");
    Map<String, SegmentSignature> expected = new LinkedHashMap<>();
    segments().filter(s -> s.get("stream").getAsString().equals("main"))
        .forEach(s -> expected.put(s.get("fileName").getAsString(), entry(s)));
    result.trusted().forEach((ref, sig) -> assertThat(sig).isEqualTo(expected.get(ref.fileName())));
  }

  @Test
  void signaturesFile_isBoundToItsStream() {
    JsonObject file = FIXTURE.getAsJsonObject("signaturesFile");
    SegmentVerifier.Result result = VERIFIER.verifyAll("other", file.get("json").getAsString());
    assertThat(result.trusted()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void invalidFile_isRefusedAsAWhole(JsonObject f) {
    assertThatThrownBy(() -> VERIFIER.verifyAll("main", f.get("json").getAsString()))
        .isInstanceOfSatisfying(P2pCollabException.class,
            e -> assertThat(e.code().wireName()).isEqualTo(f.get("error").getAsString()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPublicKeys")
  void invalidPublicKey_isRefused(JsonObject f) {
    String key = f.get("publicKey").getAsString();
    assertThatThrownBy(() -> SegmentVerifier.forPublicKey(key)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamInfo.standardSigned("main", key)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void oversizeFile_isFrameTooLarge() {
    String huge = "{\"x\":\"" + "a".repeat(SegmentVerifier.MAX_SIGNATURES_CHARS) + "\"}";
    assertThatThrownBy(() -> VERIFIER.verifyAll("main", huge))
        .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
  }

  @Test
  void deepNesting_isBadMessage_notAStackOverflow() {
    String deep = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    assertThatThrownBy(() -> VERIFIER.verifyAll("main", deep))
        .isInstanceOfSatisfying(P2pCollabException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE));
  }

  @Test
  void generatedKey_signsWhatItsVerifierAccepts_andNothingElse() {
    SegmentSigner signer = SegmentSigner.generate();
    SegmentSigner stranger = SegmentSigner.generate();
    assertThat(signer.publicKey()).hasSize(43).isNotEqualTo(stranger.publicKey());
    SegmentRef ref = new SegmentRef("live", "0", 1);
    byte[] segment = new byte[3 * WireMessage.MAX_PAYLOAD + 5];
    segment[segment.length - 1] = 9;

    SegmentSignature sig = signer.sign(ref, segment);

    assertThat(signer.verifier().verify(ref, sig, segment)).isTrue();
    assertThat(stranger.verifier().verify(ref, sig, segment)).isFalse();
    assertThat(signer.verifier().verify(new SegmentRef("live", "0", 2), sig, segment)).isFalse();
  }

  @Test
  void toJson_roundTripsThroughVerifyAll() {
    Map<SegmentRef, SegmentSignature> published = new LinkedHashMap<>();
    for (long n = 3; n >= 1; n--) {
      SegmentRef ref = new SegmentRef("main", "0", n);
      published.put(ref, SIGNER.sign(ref, new byte[] {(byte) n}));
    }
    published.put(SegmentRef.init("main", "1"), SIGNER.sign(SegmentRef.init("main", "1"), new byte[] {7, 7}));

    String json = SegmentSignature.toJson(published);

    assertThat(json).startsWith("{\"chunk-stream0-00001.m4s\":{\"length\":1,\"sha256\":\"");
    SegmentVerifier.Result result = VERIFIER.verifyAll("main", json);
    assertThat(result.rejected()).isEmpty();
    assertThat(result.trusted()).isEqualTo(published);
    assertThat(SegmentSignature.toJson(Map.of())).isEqualTo("{}");
  }

  @Test
  void toJson_refusesTwoStreams() {
    Map<SegmentRef, SegmentSignature> mixed = new LinkedHashMap<>();
    mixed.put(new SegmentRef("a", "0", 1), SIGNER.sign(new SegmentRef("a", "0", 1), new byte[] {1}));
    mixed.put(new SegmentRef("b", "0", 1), SIGNER.sign(new SegmentRef("b", "0", 1), new byte[] {1}));
    assertThatThrownBy(() -> SegmentSignature.toJson(mixed)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void signatureRecord_refusesNonCanonicalFields() {
    SegmentSignature good = SIGNER.sign(new SegmentRef("main", "0", 1), new byte[] {1});
    assertThatThrownBy(() -> new SegmentSignature(0, good.sha256(), good.sig())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SegmentSignature(1L << 32, good.sha256(), good.sig())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SegmentSignature(1, good.sha256().toUpperCase(), good.sig())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SegmentSignature(1, good.sha256(), good.sig() + "==")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SegmentSignature(1, good.sha256(), good.sig().substring(1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void signer_refusesEmptySegmentsAndShortSeeds() {
    assertThatThrownBy(() -> SIGNER.sign(new SegmentRef("main", "0", 1), new byte[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SegmentSigner.fromSeed(new byte[31])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void signedStreamInfo_travelsInJoined() {
    StreamInfo info = StreamInfo.standardSigned("main", SIGNER.publicKey());
    assertThat(info.isSigned()).isTrue();
    assertThat(info.signaturesUrl()).isEqualTo("/live/main/signatures.json");
    assertThat(StreamInfo.standard("main").isSigned()).isFalse();
    assertThatThrownBy(() -> new StreamInfo("main", "/m", "/h", SIGNER.publicKey(), null))
        .isInstanceOf(IllegalArgumentException.class);

    SignalingCodec codec = SignalingCodec.json();
    String frame = codec.encode(new SignalMessage.Joined(info, List.of()));
    assertThat(frame).contains(",\"publicKey\":\"" + SIGNER.publicKey() + "\",\"signaturesUrl\":\"/live/main/signatures.json\"}");
    assertThat(codec.decode(frame)).isEqualTo(new SignalMessage.Joined(info, List.of()));
  }

  private static List<String> strings(JsonObject o, String name) {
    List<String> out = new ArrayList<>();
    for (JsonElement e : o.getAsJsonArray(name)) {
      out.add(e.getAsString());
    }
    return out;
  }
}
