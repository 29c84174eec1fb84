package io.p2pcollab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SuperPeerConfigTest {

  @Test
  void builder_hasTheDocumentedDefaults() {
    SuperPeerConfig c = SuperPeerConfig.builder("main").build();

    assertThat(c.streams()).containsExactly("main");
    assertThat(c.maxPeers()).isEqualTo(4);
    assertThat(c.servingBudget()).isEqualTo(new ServingBudget.Config(4, 16, 8, 32));
    assertThat(c.stateInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.firstRequestTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.contributionCaps()).isEqualTo(new SuperPeerConfig.ContributionCaps(4_000_000, 4, Duration.ofSeconds(4)));
    assertThat(c.allowLoopback()).isFalse();
    assertThat(c.token()).isNull();
  }

  @Test
  void servingBudget_andDrainTimeout_areSettable() {
    ServingBudget.Config strict = new ServingBudget.Config(2, 4, 2, 8);

    SuperPeerConfig c = SuperPeerConfig.builder("main").servingBudget(strict).drainTimeout(Duration.ofSeconds(3)).build();

    assertThat(c.servingBudget()).isEqualTo(strict);
    assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void outOfRangeValues_areRefused() {
    assertThatThrownBy(() -> SuperPeerConfig.builder().build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("no/slashes").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("main").maxPeers(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("main").servingBudget(null).build())
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("main").drainTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("main").stateInterval(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("main").connectTimeout(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("main").stateInterval(null).build())
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("main").firstRequestTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("main").contributionCaps(null).build())
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void contributionCaps_areCountedPerWindow() {
    SuperPeerConfig.ContributionCaps caps = SuperPeerConfig.ContributionCaps.DEFAULT;

    assertThat(caps.bytesPerWindow()).as("4 Mbit/s for 4 s").isEqualTo(2_000_000);
    assertThat(caps.segmentsPerWindow()).isEqualTo(16);
    assertThat(new SuperPeerConfig.ContributionCaps(8, 1, Duration.ofMillis(10)).segmentsPerWindow())
        .as("at least one").isEqualTo(1);
    assertThat(new SuperPeerConfig.ContributionCaps(Long.MAX_VALUE, 1, Duration.ofDays(365)).bytesPerWindow())
        .as("no overflow").isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void outOfRangeContributionCaps_areRefused() {
    assertThatThrownBy(() -> new SuperPeerConfig.ContributionCaps(7, 4, Duration.ofSeconds(4)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SuperPeerConfig.ContributionCaps(4_000_000, 0, Duration.ofSeconds(4)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SuperPeerConfig.ContributionCaps(4_000_000, 4, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SuperPeerConfig.ContributionCaps(4_000_000, 4, Duration.ofNanos(1_500_000)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SuperPeerConfig.ContributionCaps(4_000_000, 4, null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void streams_areCopied() {
    List<String> streams = new ArrayList<>(List.of("main"));
    SuperPeerConfig c = SuperPeerConfig.builder().streams(streams).build();
    streams.add("other");
    assertThat(c.streams()).containsExactly("main");
  }
}
