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
    assertThat(c.maxRequestsPerPeer()).isEqualTo(4);
    assertThat(c.stateInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.allowLoopback()).isFalse();
    assertThat(c.token()).isNull();
  }

  @Test
  void outOfRangeValues_areRefused() {
    assertThatThrownBy(() -> SuperPeerConfig.builder().build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("no/slashes").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("main").maxPeers(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("main").maxRequestsPerPeer(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("main").stateInterval(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("main").connectTimeout(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SuperPeerConfig.builder("main").stateInterval(null).build())
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
