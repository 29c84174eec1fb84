package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.PeerId;
import io.p2pcollab.core.SegmentRef;
import io.p2pcollab.core.SignalMessage;
import java.time.Duration;
import java.util.List;

/**
 * A Java reference peer as a conformance scenario drives it (fixtures/conformance.json): its real
 * components on {@link ManualTimers} and {@link ScriptedLink}s, with its periodic sweeps running on
 * the manual clock as they do on its executor. Single-threaded.
 */
interface PeerUnderTest {

  /** Links the peer with {@code tester} the way this peer gets its neighbours. */
  void connect(ConformanceTester tester);

  /**
   * The tester tries to get a new link to the peer; the peer opens one only if it takes the tester
   * on (it then becomes the tester's {@link ConformanceTester#link}).
   */
  void offerAgain(ConformanceTester tester);

  /**
   * The peer starts fetching {@code ref} ({@code bytes} as the Media Server published them), needed
   * {@code deadline} from now; with {@code signed} it knows the signed length too.
   *
   * @throws UnsupportedOperationException if this peer fetches nothing
   */
  void load(SegmentRef ref, byte[] bytes, Duration deadline, boolean signed);

  /** The reasons the peer reported {@code peer} for to the Coordinator, in order. */
  List<String> reported(PeerId peer);

  /** After the scenario, with time gone by: what is left to check (the fetches it made ended well). */
  default void finish() {}

  /** The reasons of the {@code report}s against {@code peer} among {@code toCoordinator}, in order. */
  static List<String> reasons(List<SignalMessage> toCoordinator, PeerId peer) {
    return toCoordinator.stream()
        .filter(m -> m instanceof SignalMessage.Report r && r.peer().equals(peer))
        .map(m -> ((SignalMessage.Report) m).reason())
        .toList();
  }
}
