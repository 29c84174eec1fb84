package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentSigner;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Expected;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the Java viewer trusts from the lists the origin serves. */
class SegmentStatementsTest {

  private static final SegmentRef ONE = new SegmentRef("main", "0", 1);
  private static final SegmentRef TWO = new SegmentRef("main", "0", 2);
  private static final byte[] GENUINE = "the segment the Media Server published".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FORGED = "a segment a peer made up, hash and all".getBytes(StandardCharsets.US_ASCII);

  @Test
  void signedStream_trustsOnlyEntriesSignedWithItsKey() {
    SegmentSigner key = SegmentSigner.generate();
    SegmentSigner other = SegmentSigner.generate();
    SegmentStatements st = new SegmentStatements(StreamInfo.standardSigned("main", key.publicKey()));
    Map<SegmentRef, SegmentSignature> list = new LinkedHashMap<>();
    list.put(ONE, key.sign(ONE, GENUINE));
    list.put(TWO, other.sign(TWO, FORGED)); // a valid-looking SHA-256 of other bytes, signed by someone else
    st.absorb(SegmentSignature.toJson(list));

    assertThat(st.expected(TWO)).as("never trusted, so never asked of a peer").isEmpty();
    Expected one = st.expected(ONE).orElseThrow();
    assertThat(one.length()).isEqualTo(GENUINE.length);
    assertThat(one.matches(GENUINE)).isTrue();
    assertThat(one.matches(FORGED)).isFalse();
    assertThat(one.matches(Arrays.copyOf(GENUINE, GENUINE.length + 1))).isFalse();
  }

  @Test
  void signedStream_ignoresHashesJsonShapedInput_andKeepsWhatItKnew() {
    SegmentSigner key = SegmentSigner.generate();
    SegmentStatements st = new SegmentStatements(StreamInfo.standardSigned("main", key.publicKey()));
    st.absorb(SegmentSignature.toJson(Map.of(ONE, key.sign(ONE, GENUINE))));
    st.absorb("{\"chunk-stream0-00002.m4s\":\"" + Hashes.sha256Hex(FORGED) + "\"}"); // a bare hash is no statement
    st.absorb("not json");
    assertThat(st.expected(TWO)).isEmpty();
    assertThat(st.expected(ONE)).isPresent();
  }

  @Test
  void unsignedStream_usesHashesJson() {
    SegmentStatements st = new SegmentStatements(StreamInfo.standard("main"));
    assertThat(st.verifier()).isEmpty();
    st.absorb("{\"chunk-stream0-00001.m4s\":\"" + Hashes.sha256Hex(GENUINE) + "\"}");
    Expected one = st.expected(ONE).orElseThrow();
    assertThat(one.length()).as("hashes.json says no length").isEqualTo(-1);
    assertThat(one.matches(GENUINE)).isTrue();
    assertThat(one.matches(FORGED)).isFalse();
  }
}
