package io.p2pcollab.media.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MpdTest {

  static final String MPD =
      """
      <MPD type="dynamic" suggestedPresentationDelay="PT1S" minBufferTime="PT2.0S">
        <Period id="0" start="PT0.0S">
          <AdaptationSet id="0" contentType="video">
            <Representation id="0" mimeType="video/mp4" codecs="avc1.64001e" bandwidth="800000">
              <SegmentTemplate timescale="15360" startNumber="5">
                <SegmentTimeline>
                  <S t="61440" d="15360" r="2" />
                  <S d="15872" />
                </SegmentTimeline>
              </SegmentTemplate>
            </Representation>
          </AdaptationSet>
          <AdaptationSet id="1" contentType="audio">
            <Representation id="1" mimeType="audio/mp4" bandwidth="64000">
              <SegmentTemplate timescale="48000" startNumber="5">
                <SegmentTimeline>
                  <S t="0" d="48128" />
                  <S d="47104" r="3" />
                </SegmentTimeline>
              </SegmentTemplate>
            </Representation>
          </AdaptationSet>
        </Period>
      </MPD>
      """;

  @Test
  void newestPerRepresentation_countsTimelineRepeats() {
    // video: 5 + (3 + 1) - 1 = 8; audio: 5 + (1 + 4) - 1 = 9
    assertThat(Mpd.newestPerRepresentation(MPD)).isEqualTo(Map.of("0", 8L, "1", 9L));
  }

  @Test
  void anEmptyTimeline_listsNothing() {
    assertThat(Mpd.newestPerRepresentation("<MPD><Representation id=\"0\"><SegmentTemplate startNumber=\"1\"><SegmentTimeline></SegmentTimeline></SegmentTemplate></Representation></MPD>"))
        .isEmpty();
  }

  @Test
  void presentationDelay_isReplaced_orAdded() {
    assertThat(Mpd.withPresentationDelay(MPD, 6)).contains("suggestedPresentationDelay=\"PT6S\"").doesNotContain("PT1S\"");
    assertThat(Mpd.withPresentationDelay("<MPD type=\"dynamic\"></MPD>", 2.5)).startsWith("<MPD suggestedPresentationDelay=\"PT2.5S\" type=");
  }

  static final String NUMBERED =
      """
      <MPD type="dynamic" minimumUpdatePeriod="PT500S" suggestedPresentationDelay="PT1S">
        <Period id="0" start="PT0.0S">
          <AdaptationSet id="0" contentType="video">
            <Representation id="0" mimeType="video/mp4">
              <SegmentTemplate timescale="1000000" duration="1000000" startNumber="1">
              </SegmentTemplate>
            </Representation>
          </AdaptationSet>
          <AdaptationSet id="1" contentType="audio">
            <Representation id="1" mimeType="audio/mp4">
              <SegmentTemplate timescale="1000000" duration="1000000" startNumber="1">
              </SegmentTemplate>
            </Representation>
          </AdaptationSet>
        </Period>
      </MPD>
      """;

  @Test
  void anMpdNumberedByDuration_isToldFromOneWithATimeline() {
    assertThat(Mpd.numberedByDuration(NUMBERED)).isTrue();
    assertThat(Mpd.numberedByDuration(MPD)).isFalse();
    assertThat(Mpd.representations(NUMBERED)).containsExactly("0", "1");
  }

  @Test
  void updatePeriod_isReplaced_orAdded() {
    assertThat(Mpd.withUpdatePeriod(NUMBERED, 60)).contains("minimumUpdatePeriod=\"PT60S\"").doesNotContain("PT500S");
    assertThat(Mpd.withUpdatePeriod("<MPD type=\"dynamic\"></MPD>", 60)).startsWith("<MPD minimumUpdatePeriod=\"PT60S\" type=");
  }
}
