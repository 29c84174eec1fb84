package io.p2pcollab.media.internal.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2pcollab.core.Hashes;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SegmentSignature;
import io.p2pcollab.core.SegmentSigner;
import io.p2pcollab.core.StreamInfo;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Expected;
import io.p2pcollab.media.internal.webrtc.SegmentStatements.Verdict;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What the Java viewer trusts: a signed stream's statements as they come with its segments, an
 * unsigned stream's hashes from {@code hashes.json}.
 */
class SegmentStatementsTest {

  private static final SegmentRef ONE = new SegmentRef("main", "0", 1);
  private static final SegmentRef TWO = new SegmentRef("main", "0", 2);
  private static final byte[] GENUINE = "the segment the Media Server published".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FORGED = "a segment a peer made up, hash and all".getBytes(StandardCharsets.US_ASCII);

  private final SegmentSigner key = SegmentSigner.generate();
  private final SegmentStatements signed = new SegmentStatements(StreamInfo.standardSigned("main", key.publicKey()));

  @Test
  void signedStream_keepsAStatementThatVerifies_andHoldsBytesToIt() {
    assertThat(signed.expected(ONE)).isEmpty();

    assertThat(signed.admit(ONE, key.sign(ONE, GENUINE), null)).isEqualTo(Verdict.TRUSTED);

    Expected one = signed.expected(ONE).orElseThrow();
    assertThat(one.length()).isEqualTo(GENUINE.length);
    assertThat(one.matches(GENUINE)).isTrue();
    assertThat(one.matches(FORGED)).isFalse();
    assertThat(one.matches(Arrays.copyOf(GENUINE, GENUINE.length + 1))).isFalse();
    assertThat(signed.admit(ONE, key.sign(ONE, GENUINE), one)).as("the same again").isEqualTo(Verdict.TRUSTED);
  }

  @Test
  void signedStream_refusesStatementsOfAnotherKeyOrSegment_andKeepsNone() {
    SegmentSigner other = SegmentSigner.generate();

    assertThat(signed.admit(TWO, other.sign(TWO, FORGED), null)).isEqualTo(Verdict.FORGED);
    assertThat(signed.admit(TWO, key.sign(ONE, FORGED), null)).as("another segment's").isEqualTo(Verdict.FORGED);

    assertThat(signed.expected(TWO)).isEmpty();
  }

  @Test
  void signedStream_refusesAStatementThatContradictsOneKept_orTheOneHeld() {
    SegmentSignature genuine = key.sign(ONE, GENUINE);
    SegmentSignature other = key.sign(ONE, FORGED); // the key's own, about other bytes
    assertThat(signed.admit(ONE, genuine, null)).isEqualTo(Verdict.TRUSTED);

    assertThat(signed.admit(ONE, other, null)).isEqualTo(Verdict.CONTRADICTED);
    assertThat(signed.admit(TWO, key.sign(TWO, FORGED), Expected.of(key.sign(TWO, GENUINE))))
        .as("held by the fetch, not kept here").isEqualTo(Verdict.CONTRADICTED);

    assertThat(signed.expected(ONE)).hasValue(Expected.of(genuine));
    assertThat(signed.expected(TWO)).isEmpty();
  }

  @Test
  void signedStream_readsNoList_aBareHashIsNoStatement() {
    assertThatThrownBy(() -> signed.absorb("{\"chunk-stream0-00002.m4s\":\"" + Hashes.sha256Hex(FORGED) + "\"}"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> signed.refresh(null, URI.create("http://origin.invalid/"), Runnable::run, () -> {}))
        .isInstanceOf(IllegalStateException.class);
    assertThat(signed.expected(TWO)).isEmpty();
  }

  @Test
  void unsignedStream_usesHashesJson_andHasNoStatements() {
    SegmentStatements st = new SegmentStatements(StreamInfo.standard("main"));
    assertThat(st.verifier()).isEmpty();
    st.absorb("{\"chunk-stream0-00001.m4s\":\"" + Hashes.sha256Hex(GENUINE) + "\"}");
    st.absorb("not json"); // changes nothing

    Expected one = st.expected(ONE).orElseThrow();
    assertThat(one.length()).as("hashes.json says no length").isEqualTo(-1);
    assertThat(one.matches(GENUINE)).isTrue();
    assertThat(one.matches(FORGED)).isFalse();
    assertThatThrownBy(() -> st.admit(ONE, key.sign(ONE, GENUINE), null)).isInstanceOf(IllegalStateException.class);
  }
}
