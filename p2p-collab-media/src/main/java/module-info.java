/**
 * p2p-collab media: the Media Server (live ingest, contributed streams, HTTP), the super-peer and
 * Java peers on webrtc-java, and the browser SDK (under {@code META-INF/resources/p2p-collab/}).
 */
module io.p2pcollab.media {
  requires transitive io.p2pcollab.core;
  requires transitive jdk.httpserver;
  requires java.net.http;
  requires webrtc.java;
  requires org.slf4j;

  exports io.p2pcollab.media;
}
