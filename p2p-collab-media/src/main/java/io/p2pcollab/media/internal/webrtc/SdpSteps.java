package io.p2pcollab.media.internal.webrtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import java.util.function.Consumer;

/**
 * The observers of a {@link PeerLink}'s offer/answer steps. libwebrtc calls them on its own
 * threads; they only hand the next step, or the failure, to the link's executor.
 */
final class SdpSteps {

  /** Where the steps continue: the link's executor. */
  interface Link {
    /** Runs {@code task} on the link's executor, unless the link has closed by then. */
    void later(Runnable task);

    /** Fails the link with {@code what}, on its executor. */
    void failLater(String what);
  }

  private SdpSteps() {}

  /** After {@code createOffer}/{@code createAnswer}: {@code next} gets the description. */
  static CreateSessionDescriptionObserver created(Link link, String what, Consumer<RTCSessionDescription> next) {
    return new CreateSessionDescriptionObserver() {
      @Override
      public void onSuccess(RTCSessionDescription description) {
        link.later(() -> next.accept(description));
      }

      @Override
      public void onFailure(String error) {
        link.failLater(what + " failed: " + error);
      }
    };
  }

  /** After {@code setLocalDescription}/{@code setRemoteDescription}: then {@code next}. */
  static SetSessionDescriptionObserver set(Link link, String what, Runnable next) {
    return new SetSessionDescriptionObserver() {
      @Override
      public void onSuccess() {
        link.later(next);
      }

      @Override
      public void onFailure(String error) {
        link.failLater(what + " failed: " + error);
      }
    };
  }
}
