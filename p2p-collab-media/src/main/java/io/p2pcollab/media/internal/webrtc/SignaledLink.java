package io.p2pcollab.media.internal.webrtc;

import io.p2pcollab.core.IceCandidate;

/**
 * A link as its owner drives it: the data channel ({@link DataLink}) and the offer/answer exchange
 * that opens it. A {@link PeerLink}, or a fake in tests, so that a peer's handling of offers,
 * blocking and messages runs without WebRTC. Confined to the owner's executor; see {@link PeerLink}
 * for the contract of each step.
 */
interface SignaledLink extends DataLink {

  /** Offerer: creates the data channel and the offer (out through the listener). */
  void startOffer();

  /** Answerer: applies the remote offer and answers (out through the listener). */
  void acceptOffer(String sdp);

  /** Offerer: applies the remote answer. */
  void acceptAnswer(String sdp);

  /** Adds a remote candidate. */
  void addRemoteCandidate(IceCandidate candidate);
}
