package io.p2pcollab.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ManualClockTest {

  @Test
  void moves_onlyWhenTold() {
    ManualClock clock = new ManualClock(Instant.ofEpochSecond(100));
    Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));

    assertThat(clock.instant()).isEqualTo(Instant.ofEpochSecond(100));
    assertThat(clock.advance(Duration.ofSeconds(3))).isEqualTo(Instant.ofEpochSecond(103));
    clock.advanceMillis(500);

    assertThat(clock.millis()).isEqualTo(103_500);
    assertThat(paris.instant()).isEqualTo(clock.instant());
    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThatThrownBy(() -> clock.advance(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    clock.set(Instant.EPOCH);
    assertThat(clock.instant()).isEqualTo(Instant.EPOCH);
  }
}
