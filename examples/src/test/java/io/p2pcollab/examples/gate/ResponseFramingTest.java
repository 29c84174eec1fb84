package io.p2pcollab.examples.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Where a response ends, as the gate sees its bytes go by: whole, byte by byte, or cut. */
class ResponseFramingTest {

  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.replace("|", "\r\n").getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Feeds {@code response} in pieces of {@code step} bytes; returns how many bytes belonged to it. */
  private static int feed(ResponseFraming f, String response, int step) throws IOException {
    ByteBuffer b = bytes(response);
    int used = 0;
    for (int i = 0; i < b.limit() && !f.done(); i += step) {
      used += f.feed(b, i, Math.min(b.limit(), i + step));
    }
    return used;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '^', value = {
      "length^ HTTP/1.1 200 OK|Content-Length: 5||hello^ false",
      "empty body^ HTTP/1.1 200 OK|Content-Length: 0||^ false",
      "chunked^ HTTP/1.1 200 OK|Transfer-Encoding: chunked||5|hello|0||^ false",
      "chunks and trailer^ HTTP/1.1 200 OK|Transfer-Encoding: chunked||3;x=1|abc|a|0123456789|0|T: v||^ false",
      "no content 204^ HTTP/1.1 204 No Content|Content-Length: 9||^ false",
      "not modified 304^ HTTP/1.1 304 Not Modified||^ false",
      "interim 100^ HTTP/1.1 100 Continue||HTTP/1.1 200 OK|Content-Length: 2||ok^ false",
      "connection close^ HTTP/1.1 200 OK|Connection: close|Content-Length: 2||ok^ true",
      "HTTP/1.0^ HTTP/1.0 200 OK|Content-Length: 2||ok^ true",
  })
  void aResponseEndsWhereItsFramingSays_wholeOrByteByByte(String name, String response, boolean closes) throws Exception {
    for (int step : new int[] {1, 7, 1 << 16}) {
      ResponseFraming f = new ResponseFraming(false);
      assertThat(feed(f, response, step)).as(name + " in steps of " + step).isEqualTo(bytes(response).limit());
      assertThat(f.done()).isTrue();
      assertThat(f.closesConnection()).isEqualTo(closes);
    }
  }

  @Test
  void aResponseToHead_hasNoBody_whateverItsLength() throws Exception {
    ResponseFraming f = new ResponseFraming(true);
    String head = "HTTP/1.1 200 OK|Content-Length: 1000||";
    assertThat(feed(f, head + "NEXT", 1 << 16)).isEqualTo(bytes(head).limit());
    assertThat(f.done()).isTrue();
  }

  @Test
  void bytesAfterTheEnd_areNotPartOfIt() throws Exception {
    ResponseFraming f = new ResponseFraming(false);
    ByteBuffer b = bytes("HTTP/1.1 200 OK|Content-Length: 2||okHTTP/1.1 200 OK");
    assertThat(f.feed(b, 0, b.limit())).isEqualTo(bytes("HTTP/1.1 200 OK|Content-Length: 2||ok").limit());
  }

  @Test
  void withoutLengthOrChunks_itEndsWithTheConnection() throws Exception {
    ResponseFraming f = new ResponseFraming(false);
    feed(f, "HTTP/1.1 200 OK||a body of unknown length", 1 << 16);
    assertThat(f.done()).isFalse();
    assertThat(f.closesConnection()).isTrue();
    assertThat(f.endOfStream()).isTrue();
    assertThat(f.done()).isTrue();
  }

  @Test
  void aResponseCutShort_isNotComplete() throws Exception {
    ResponseFraming f = new ResponseFraming(false);
    feed(f, "HTTP/1.1 200 OK|Content-Length: 10||short", 1 << 16);
    assertThat(f.endOfStream()).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "HTTP/1.1 101 Switching Protocols||",
      "garbage||",
      "HTTP/1.1 200 OK|Transfer-Encoding: chunked||zz|",
      "HTTP/1.1 200 OK|Transfer-Encoding: chunked||2|abX|",
      "HTTP/1.1 200 OK|Content-Length: x||",
      "HTTP/1.1 200 OK|no colon||",
  })
  void malformedResponsesAndUpgrades_areErrors(String response) {
    assertThatThrownBy(() -> feed(new ResponseFraming(false), response, 1 << 16)).isInstanceOf(IOException.class);
  }

  @Test
  void anEndlessHeader_isAnError() {
    String endless = "HTTP/1.1 200 OK|" + "X-Pad: y|".repeat(20_000);
    assertThatThrownBy(() -> feed(new ResponseFraming(false), endless, 1 << 16)).isInstanceOf(IOException.class);
  }
}
