package io.p2pcollab.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2pcollab.core.ErrorCode;
import io.p2pcollab.core.SignalMessage;
import io.p2pcollab.tracker.internal.TestSwarm.Visit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sockets that never say {@code hello} are closed after 3 s with {@code HELLO_TIMEOUT}; pongs do not help. */
class HelloDeadlineTest {

  private final TestSwarm swarm = new TestSwarm();

  @AfterEach
  void stop() {
    swarm.close();
  }

  @Test
  void twoHundredIdleSockets_areClosedAfter3s_withHelloTimeout_evenWhileAnsweringPings() {
    List<Visit> idle = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      idle.add(swarm.visit());
    }
    for (int step = 0; step < 29; step++) { // 2.9 s of pongs
      swarm.advance(Duration.ofMillis(100));
      idle.forEach(v -> v.session.onPong());
      swarm.sweep();
    }
    assertThat(idle).allSatisfy(v -> assertThat(v.socket.closeCode).isNull());

    swarm.advance(Duration.ofMillis(100));
    idle.forEach(v -> v.session.onPong());
    swarm.sweep();

    assertThat(idle).allSatisfy(v -> {
      assertThat(v.socket.closeCode).isEqualTo(1008);
      assertThat(v.lastError().code()).isEqualTo(ErrorCode.HELLO_TIMEOUT);
    });
  }

  @Test
  void aHelloBeforeTheDeadline_registers_andThenLivenessIsTheUsual3sOfSilence() {
    Visit late = swarm.visit();
    swarm.advance(Duration.ofMillis(2900));
    late.hello();
    swarm.advance(Duration.ofMillis(2000));
    swarm.sweep();
    assertThat(late.socket.closeCode).isNull();
    assertThat(late.socket.all(SignalMessage.Error.class)).isEmpty();
  }

  @Test
  void messagesOtherThanHello_doNotRegister_andDoNotExtendTheDeadline() {
    Visit chatty = swarm.visit();
    for (int i = 0; i < 30; i++) {
      swarm.advance(Duration.ofMillis(100));
      chatty.join();
    }
    swarm.sweep();
    assertThat(chatty.socket.closeCode).isEqualTo(1008);
    assertThat(chatty.lastError().code()).isEqualTo(ErrorCode.HELLO_TIMEOUT);
  }
}
