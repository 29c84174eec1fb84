package io.p2pcollab.examples.gate;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection through the {@link HttpGate}, and its own connection to the backend,
 * opened once the client has sent a complete request header (a client that never does costs the
 * backend nothing). Requests are relayed one at a time: after a request is forwarded, the client is
 * not read until its response has passed, so each request header has a deadline of its own.
 *
 * <pre>
 *   HEAD ──complete header──▶ BODY ──body forwarded──▶ AWAIT ──response passed──▶ HEAD …
 *     └─ too large, malformed ─▶ CLOSING (answer 4xx/5xx, flush, close)
 * </pre>
 *
 * <p>Two fixed buffers: {@code request} (client → backend, the header cap's size) and {@code
 * response} (backend → client). When one is full its reader stops reading, so a slow side slows
 * the other down instead of filling memory.
 *
 * <p>Threading: the gate's selector thread only.
 */
final class GateConnection {

  private static final Logger log = LoggerFactory.getLogger(GateConnection.class);
  private static final int RESPONSE_BUFFER = 32 * 1024;

  private enum Phase { HEAD, BODY, AWAIT, CLOSING }

  private final HttpGate gate;
  private final GateConfig config;
  private final SelectionKey clientKey;
  private final ClientTransport client;
  private final RequestBuffer request;
  private final ByteBuffer response = ByteBuffer.allocate(RESPONSE_BUFFER);

  private SocketChannel backend;
  private SelectionKey backendKey;
  private boolean backendConnected;

  private Phase phase = Phase.HEAD;
  private boolean firstRequest = true;
  /** A byte of the current request header arrived (before that, a kept-alive connection is idle). */
  private boolean headerStarted;
  /** HEAD: when the header clock (or the keep-alive clock) started. */
  private long phaseSince;
  private long lastRead;
  /** Since when bytes for the client have waited without any being taken; -1 when none wait. */
  private long writeWaitSince = -1;
  /** The response being relayed; null when none is due. */
  private ResponseFraming framing;
  private boolean closeAfterResponse;
  private boolean closed;

  GateConnection(HttpGate gate, GateConfig config, SelectionKey clientKey, ClientTransport client, long now) {
    this.gate = gate;
    this.config = config;
    this.clientKey = clientKey;
    this.client = client;
    this.request = new RequestBuffer(config.maxHeaderBytes(), config.maxBodyBytes());
    this.phaseSince = now;
    this.lastRead = now;
  }

  /** A readiness event on either socket ({@code key} null: another pass over buffered input). */
  void onEvent(SelectionKey key, long now) {
    try {
      if (key != null && key == backendKey && key.isConnectable()) {
        finishConnect();
      }
      for (int round = 0; round < 8 && !closed; round++) {
        boolean progress = readClient(now);
        progress |= writeBackend();
        progress |= readBackend(now);
        progress |= writeClient(now);
        if (phase == Phase.CLOSING && !clientOutputPending()) {
          close("done");
          return;
        }
        if (!progress) {
          break;
        }
      }
      updateInterest();
    } catch (IOException | RuntimeException e) {
      log.debug("gate connection failed", e);
      close("failed: " + e);
    }
  }

  /** True if decrypted input is waiting while the socket may stay quiet: run {@link #onEvent} again. */
  boolean needsAnotherPass() {
    return !closed && readingClient() && client.hasBufferedInput();
  }

  /** Closes the connection if one of its deadlines passed (see {@link GateConfig}). */
  void checkDeadlines(long now) {
    if (closed) {
      return;
    }
    // The first header's clock runs from accept whatever else happens (a TLS handshake included);
    // a later one's waits while the previous response is still going out (the write deadline runs).
    if (phase == Phase.HEAD && (firstRequest || writeWaitSince < 0)) {
      boolean keptAliveIdle = !firstRequest && !headerStarted;
      long limit = keptAliveIdle ? config.idleTimeout().toNanos() : config.headerTimeout().toNanos();
      if (now - phaseSince > limit) {
        close(keptAliveIdle ? "kept alive without a request" : "request header deadline");
        return;
      }
    }
    if (phase == Phase.BODY && now - lastRead > config.idleTimeout().toNanos()) {
      close("request body stalled");
      return;
    }
    if (writeWaitSince >= 0 && now - writeWaitSince > config.idleTimeout().toNanos()) {
      close("client stopped reading");
    }
  }

  private boolean readingClient() {
    return (phase == Phase.HEAD || phase == Phase.BODY) && request.hasRoom();
  }

  private boolean readClient(long now) throws IOException {
    if (!readingClient() && !client.wantsRead()) {
      return false;
    }
    if (!request.hasRoom()) {
      return false; // a TLS handshake waits for room, which the backend makes
    }
    int n = request.readFrom(client);
    if (n < 0) {
      // The client is done sending: nothing more to relay to it once what is under way has gone.
      if (phase == Phase.HEAD && !request.holdsUncleared()) {
        phase = Phase.CLOSING;
        return true;
      }
      throw new IOException("client closed mid-request");
    }
    if (n == 0) {
      return false;
    }
    lastRead = now;
    if (phase == Phase.HEAD && !headerStarted) {
      headerStarted = true;
      if (!firstRequest) {
        phaseSince = now; // a kept-alive connection's next header: its clock starts now
      }
    }
    process(now);
    return true;
  }

  /** Moves through the phases as far as the buffered request bytes allow. */
  private void process(long now) throws IOException {
    for (int step = 0; step < 64 && !closed; step++) {
      if (phase == Phase.HEAD && !parseHead(now)) {
        return;
      }
      if (phase == Phase.BODY) {
        absorbBody(now);
        if (phase != Phase.HEAD) {
          return;
        }
      } else if (phase != Phase.HEAD) {
        return;
      }
    }
  }

  /** Looks for a complete header in what was read; true once one was parsed and cleared. */
  private boolean parseHead(long now) throws IOException {
    RequestHead head;
    try {
      head = request.nextHead();
    } catch (RequestHead.Refused e) {
      log.debug("refused a request: {}", e.getMessage());
      refuse(e.status, reason(e.status));
      return false;
    }
    if (head == null) {
      return false;
    }
    framing = new ResponseFraming(head.isHead());
    phase = Phase.BODY;
    lastRead = now;
    connectBackend();
    return true;
  }

  private void absorbBody(long now) {
    if (!request.clearBody()) {
      return;
    }
    if (framing != null) {
      phase = Phase.AWAIT;
    } else {
      nextRequest(now); // the backend answered before the body was through
    }
  }

  private void nextRequest(long now) {
    if (closeAfterResponse) {
      phase = Phase.CLOSING;
      return;
    }
    phase = Phase.HEAD;
    firstRequest = false;
    headerStarted = request.holdsUncleared();
    phaseSince = now;
  }

  private void connectBackend() throws IOException {
    if (backend != null) {
      return;
    }
    backend = SocketChannel.open();
    backend.configureBlocking(false);
    backend.setOption(StandardSocketOptions.TCP_NODELAY, true);
    try {
      backendConnected = backend.connect(gate.backendAddress());
    } catch (IOException e) {
      backendFailed(e);
      return;
    }
    backendKey = backend.register(clientKey.selector(), backendConnected ? 0 : SelectionKey.OP_CONNECT, this);
  }

  private void finishConnect() {
    try {
      backendConnected = backend.finishConnect();
    } catch (IOException e) {
      backendFailed(e);
    }
  }

  private void backendFailed(IOException e) {
    log.warn("the gate cannot reach its backend {}: {}", gate.backendAddress(), e.toString());
    framing = null;
    refuse(502, "Bad Gateway");
  }

  private boolean writeBackend() throws IOException {
    if (!backendConnected || !request.hasCleared() || !backend.isOpen()) {
      return false;
    }
    return request.writeTo(backend) > 0;
  }

  private boolean readBackend(long now) throws IOException {
    if (!backendConnected || !backend.isOpen() || !response.hasRemaining()) {
      return false;
    }
    int before = response.position();
    int n = backend.read(response);
    if (n < 0) {
      // The backend closed: pass on what it sent, then close (a cut response stays cut).
      if (framing != null && framing.endOfStream()) {
        framing = null;
      }
      closeBackend();
      phase = Phase.CLOSING;
      return true;
    }
    if (n == 0) {
      return false;
    }
    if (framing == null) {
      throw new IOException("the backend sent bytes nobody asked for");
    }
    int used = framing.feed(response, before, before + n);
    if (framing.done()) {
      if (used < n) {
        throw new IOException("the backend sent more than one response");
      }
      closeAfterResponse |= framing.closesConnection();
      framing = null;
      if (phase == Phase.AWAIT) {
        nextRequest(now);
        process(now);
      }
    }
    return true;
  }

  private boolean writeClient(long now) throws IOException {
    boolean progress = false;
    if (client.hasPendingOutput()) {
      progress = client.flush();
    }
    if (response.position() > 0) {
      response.flip();
      progress |= client.write(response) > 0;
      response.compact();
    }
    if (!clientOutputPending()) {
      if (writeWaitSince >= 0 && phase == Phase.HEAD && !headerStarted && !firstRequest) {
        phaseSince = now; // the keep-alive clock starts once the last response is out
      }
      writeWaitSince = -1;
    } else if (progress || writeWaitSince < 0) {
      writeWaitSince = now;
    }
    return progress;
  }

  private boolean clientOutputPending() {
    return response.position() > 0 || client.hasPendingOutput();
  }

  /** Answers {@code status} and closes once that is sent. */
  private void refuse(int status, String reason) {
    byte[] answer = ("HTTP/1.1 " + status + " " + reason + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    closeBackend();
    phase = Phase.CLOSING;
    if (framing != null || response.remaining() < answer.length) {
      close("refused " + status + " mid-response");
      return;
    }
    response.put(answer);
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 431 -> "Request Header Fields Too Large";
      case 413 -> "Content Too Large";
      case 501 -> "Not Implemented";
      case 505 -> "HTTP Version Not Supported";
      default -> "Error";
    };
  }

  private void updateInterest() {
    if (closed) {
      return;
    }
    int ops = 0;
    if (readingClient() || client.wantsRead()) {
      ops |= SelectionKey.OP_READ;
    }
    if (clientOutputPending()) {
      ops |= SelectionKey.OP_WRITE;
    }
    clientKey.interestOps(ops);
    if (backendKey != null && backendKey.isValid()) {
      int b = 0;
      if (!backendConnected) {
        b = SelectionKey.OP_CONNECT;
      } else {
        if (request.hasCleared()) {
          b |= SelectionKey.OP_WRITE;
        }
        if (response.hasRemaining()) {
          b |= SelectionKey.OP_READ;
        }
      }
      backendKey.interestOps(b);
    }
  }

  private void closeBackend() {
    if (backend != null) {
      try {
        backend.close();
      } catch (IOException e) {
        // closed anyway
      }
    }
  }

  /** Closes both sockets and gives back the connection's place; idempotent. */
  void close(String why) {
    if (closed) {
      return;
    }
    closed = true;
    log.debug("gate connection closed: {}", why);
    client.close();
    closeBackend();
    gate.released(this);
  }
}
