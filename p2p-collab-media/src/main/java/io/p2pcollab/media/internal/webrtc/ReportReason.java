package io.p2pcollab.media.internal.webrtc;

/**
 * Why a peer reports a neighbour to the Coordinator ({@code report.reason}, docs/protocol.md §1): a
 * viewer reports what a neighbour served it (the first five), a serving peer what a neighbour asked
 * of it (the last two, §2.5). Each one is a lie or a fault the neighbour cannot have made by
 * accident; a refusal (BUSY), a link that closes, or an idle link is never reported.
 */
enum ReportReason {
  /** The segment's bytes do not match what the Media Server published. */
  BAD_SEGMENT("bad-segment"),
  /** The first chunk announced another length than the signed one. */
  WRONG_LENGTH("wrong-length"),
  /** Chunks that break the wire protocol. */
  PROTOCOL_VIOLATION("protocol-violation"),
  /** It claimed the segment (HAVE) and answered NOT_FOUND for it. */
  NOT_FOUND("not-found"),
  /** It claimed the segment and did not answer the REQUEST within the request deadline. */
  NO_ANSWER("no-answer"),
  /** It kept asking over its serving budget after BUSY answers (§2.5): cut by the peer serving it. */
  FLOODING("flooding"),
  /**
   * Its data channel stayed paused above the high-water mark, the buffered amount never going down,
   * for longer than the drain timeout (§2.5): it does not take what it asked for.
   */
  NOT_DRAINING("not-draining");

  private final String wireName;

  ReportReason(String wireName) {
    this.wireName = wireName;
  }

  /** The {@code reason} sent in {@code report}. */
  String wireName() {
    return wireName;
  }
}
