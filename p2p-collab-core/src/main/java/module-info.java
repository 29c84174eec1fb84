/** p2p-collab core: protocol messages and codecs, the stream/segment model, integrity, policies. */
module io.p2pcollab.core {
  requires com.google.gson;
  requires org.slf4j;

  exports io.p2pcollab.core;
}
