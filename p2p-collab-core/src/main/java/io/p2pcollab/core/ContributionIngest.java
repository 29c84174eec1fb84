package io.p2pcollab.core;

/**
 * Where a super-peer puts the segments a contributor uploads: the Media Server, which stores,
 * hashes, signs and publishes them as a live stream of their own (thesis §4.3, the second
 * interaction). The super-peer checks the contributor's grant on every segment before it calls
 * this; the ingest checks the bytes.
 *
 * <p>Threading: implementations are safe for concurrent use; each method returns once its work is
 * done (a segment is stored, signed and listed in the MPD when {@link Contribution#segment}
 * returns), so the caller may acknowledge it.
 */
public interface ContributionIngest {

  /**
   * Starts the contributed stream {@code stream} of {@code contributor}; nothing is published until
   * its first media segment is stored.
   *
   * @throws P2pCollabException {@link ErrorCode#STREAM_TAKEN} if the stream is live already
   */
  Contribution open(String stream, PeerId contributor);

  /** One contributed stream being ingested. */
  interface Contribution {

    /** The stream's ID. */
    String stream();

    /**
     * Stores the initialization segment (fragmented MP4: {@code ftyp} + {@code moov}).
     *
     * @throws P2pCollabException {@link ErrorCode#BAD_MESSAGE} if it is not one, or a different one
     *     was stored before
     */
    void init(byte[] segment);

    /**
     * Stores media segment {@code number} (one {@code moof} + {@code mdat} starting with a key
     * frame), numbered from 1 without gaps; a number already stored is accepted again unchanged, so
     * a contributor may resend what it was not told about.
     *
     * @throws P2pCollabException {@link ErrorCode#BAD_MESSAGE} for a malformed segment, one out of
     *     order, one before the initialization segment, or one after {@link #end}
     */
    void segment(long number, byte[] bytes);

    /** Ends the stream cleanly: the MPD becomes static with its final duration. Idempotent. */
    void end();
  }
}
