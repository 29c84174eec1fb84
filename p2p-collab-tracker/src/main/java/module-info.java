/** The Coordinator and Tracker, and the reference WebSocket signaling adapter. */
module io.p2pcollab.tracker {
  requires transitive io.p2pcollab.core;
  requires org.java_websocket;
  requires com.google.gson;
  requires org.slf4j;

  exports io.p2pcollab.tracker;
}
