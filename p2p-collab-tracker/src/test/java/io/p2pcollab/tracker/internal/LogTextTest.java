package io.p2pcollab.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Text from peers is logged escaped: only [A-Za-z0-9._-] verbatim. */
class LogTextTest {

  @Test
  void theReportReasonsOfTheReferencePeers_stayReadable() {
    assertThat(LogText.escape("bad-segment")).isEqualTo("bad-segment");
    assertThat(LogText.escape("wrong_length.v2")).isEqualTo("wrong_length.v2");
  }

  @Test
  void everythingElse_isEscaped_soNoPeerForgesALogLine() {
    String forged = "x\n2025-01-01 INFO admin logged in";
    assertThat(LogText.escape(forged)).doesNotContain("\n").doesNotContain(" ")
        .isEqualTo("x\\u000a2025-01-01\\u0020INFO\\u0020admin\\u0020logged\\u0020in");
    assertThat(LogText.escape("\u202e<script>\\")).isEqualTo("\\u202e\\u003cscript\\u003e\\u005c");
    assertThat(LogText.escape("{}")).isEqualTo("\\u007b\\u007d");
  }
}
