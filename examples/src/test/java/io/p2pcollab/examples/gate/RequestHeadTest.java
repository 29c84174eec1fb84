package io.p2pcollab.examples.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The request headers the gate forwards, and those it answers itself. */
class RequestHeadTest {

  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.replace("|", "\r\n").getBytes(StandardCharsets.ISO_8859_1));
  }

  private static RequestHead parse(String head) throws RequestHead.Refused {
    ByteBuffer b = bytes(head);
    return RequestHead.parse(b, 0, b.limit(), 1000);
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "GET / HTTP/1.1|Host: x||;                 27",
      "GET / HTTP/1.1\\nHost: x\\n\\n;              24",
      "GET / HTTP/1.1|Host: x\\n\\n;               25",
      "GET / HTTP/1.1|Host: x||GET /next;        27",
      "GET / HTTP/1.1|Host: x|;                  -1",
      "GET / HTTP/1.1|Host: x;                   -1",
      "GET / HTT;                                -1",
  })
  void end_findsTheBlankLine(String head, int end) {
    ByteBuffer b = bytes(head.replace("\\n", "\n"));
    assertThat(RequestHead.end(b, 0, 0, b.limit())).isEqualTo(end);
  }

  @Test
  void end_resumesWhereItStopped_andFindsATerminatorSplitAcrossReads() {
    ByteBuffer b = bytes("GET / HTTP/1.1|Host: x||");
    int whole = b.limit();
    assertThat(RequestHead.end(b, 0, 0, whole - 2)).isEqualTo(-1);
    assertThat(RequestHead.end(b, 0, whole - 2, whole)).isEqualTo(whole);
  }

  @Test
  void aRequestWithABody_hasItsLength() throws Exception {
    RequestHead h = parse("POST /x HTTP/1.1|Host: a|Content-Length: 12||");
    assertThat(h.method()).isEqualTo("POST");
    assertThat(h.bodyLength()).isEqualTo(12);
    assertThat(parse("HEAD / HTTP/1.0||").isHead()).isTrue();
    assertThat(parse("GET / HTTP/1.1|Content-Length: 3|content-length: 3||").bodyLength()).isEqualTo(3);
  }

  @ParameterizedTest(name = "{1}: {0}")
  @CsvSource(delimiter = ';', value = {
      "GET /|Host: a||;                                 400",
      "GET  / HTTP/1.1||;                               400",
      "G(T / HTTP/1.1||;                                400",
      "GET / HTTP/2.0||;                                505",
      "GET / SPDY/3||;                                  400",
      "GET / HTTP/1.1|Host a||;                         400",
      "GET / HTTP/1.1|Host: a| folded||;                400",
      "GET / HTTP/1.1|Bad Name: a||;                    400",
      "POST / HTTP/1.1|Transfer-Encoding: chunked||;    501",
      "POST / HTTP/1.1|Content-Length: 1, 2||;          400",
      "POST / HTTP/1.1|Content-Length: -1||;            400",
      "POST / HTTP/1.1|Content-Length: 1|Content-Length: 2||; 400",
      "POST / HTTP/1.1|Content-Length: 1001||;          413",
      "POST / HTTP/1.1|Content-Length: 99999999999999999999||; 400",
  })
  void badRequests_areRefusedWithAStatus(String head, int status) {
    assertThatThrownBy(() -> parse(head))
        .isInstanceOf(RequestHead.Refused.class)
        .satisfies(e -> assertThat(((RequestHead.Refused) e).status).isEqualTo(status));
  }
}
