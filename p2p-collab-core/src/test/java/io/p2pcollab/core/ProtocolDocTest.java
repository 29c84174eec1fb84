package io.p2pcollab.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.p2pcollab.core.testing.Fixtures;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/protocol.md and the code say the same thing: every message type, field, error code and
 * limit the code has is in the document, and everything the document lists exists in the code. A
 * third party implements the protocols from that document alone, so it must not drift.
 */
class ProtocolDocTest {

  private static final String DOC = read(Path.of("..", "docs", "protocol.md"));

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + p.toAbsolutePath(), e);
    }
  }

  /** The text of the section whose heading starts with {@code heading}, up to the next heading of its level or above. */
  private static String section(String heading) {
    int start = DOC.indexOf("\n" + heading);
    assertThat(start).as("section %s", heading).isNotNegative();
    int level = heading.indexOf(' ');
    Matcher next = Pattern.compile("\n#{1," + level + "} ").matcher(DOC);
    int end = next.find(start + heading.length()) ? next.start() : DOC.length();
    return DOC.substring(start, end);
  }

  /** Rows of the markdown tables in {@code text}, as cells (header and rule rows excluded). */
  private static List<String[]> rows(String text) {
    return text.lines()
        .filter(l -> l.startsWith("|") && !l.startsWith("|---") && !l.startsWith("| type ") && !l.startsWith("| code ")
            && !l.startsWith("| field ") && !l.startsWith("| path "))
        .map(l -> l.substring(1).split("(?<!\\\\)\\|"))
        .toList();
  }

  private static String unquote(String cell) {
    return cell.trim().replace("`", "");
  }

  /** Per signaling message type, the fields its table rows (§1.2 and §1.3) declare. */
  private static Map<String, Set<String>> documentedSignaling() {
    Map<String, Set<String>> types = new TreeMap<>();
    for (String table : List.of(section("### 1.2"), section("### 1.3"))) {
      for (String[] row : rows(table)) {
        Set<String> fields = types.computeIfAbsent(unquote(row[0]), t -> new TreeSet<>());
        // "`role`: ...; `token`? string; optional `servedBy`: ..." — the first backticked name of each part
        for (String part : row[1].split(";")) {
          Matcher m = Pattern.compile("`([A-Za-z]+)`").matcher(part);
          if (m.find() && !part.trim().equals("—")) {
            fields.add(m.group(1));
          }
        }
      }
    }
    return types;
  }

  /** Per signaling message type, the fields its golden frames carry (the codec writes exactly these). */
  private static Map<String, Set<String>> codedSignaling() {
    Map<String, Set<String>> types = new TreeMap<>();
    SignalingCodec codec = SignalingCodec.json();
    Set<Class<?>> classes = new HashSet<>();
    for (JsonObject v : Fixtures.section("signaling.json", "valid")) {
      String frame = v.get("frame").getAsString();
      SignalMessage m = codec.decode(frame);
      classes.add(m.getClass());
      JsonObject json = JsonParser.parseString(frame).getAsJsonObject();
      Set<String> fields = types.computeIfAbsent(m.type(), t -> new TreeSet<>());
      json.keySet().stream().filter(k -> !k.equals("v") && !k.equals("type")).forEach(fields::add);
    }
    assertThat(classes).as("the fixtures exercise every kind of signaling message")
        .containsExactlyInAnyOrder(SignalMessage.class.getPermittedSubclasses());
    return types;
  }

  @Test
  void everySignalingMessageType_andItsFields_areDocumented_andNothingElse() {
    Map<String, Set<String>> coded = codedSignaling();
    Map<String, Set<String>> documented = documentedSignaling();
    assertThat(documented.keySet()).isEqualTo(coded.keySet());
    for (String type : coded.keySet()) {
      assertThat(documented.get(type)).as("fields of %s", type).isEqualTo(coded.get(type));
    }
  }

  @Test
  void everySignalingErrorCode_isDocumented_andNothingElse() {
    Set<String> documented = new TreeSet<>();
    for (String[] row : rows(section("## 3."))) {
      Arrays.stream(unquote(row[0]).split(",")).map(String::trim).forEach(documented::add);
    }
    Set<String> coded = Arrays.stream(ErrorCode.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
    assertThat(documented).isEqualTo(coded);
  }

  @Test
  void everyWireMessageType_isDocumentedWithItsByte_andNothingElse() {
    Map<String, String> documented = new TreeMap<>();
    for (String[] row : rows(section("## 2."))) {
      String first = unquote(row[0]);
      if (first.matches("0x[0-9A-Fa-f]{2}")) {
        documented.put(unquote(row[1]), first.toLowerCase(Locale.ROOT));
      }
    }
    Map<String, String> coded = new TreeMap<>();
    for (JsonObject v : Fixtures.section("wire.json", "valid")) {
      coded.put(v.getAsJsonObject("fields").get("type").getAsString(), "0x" + v.get("hex").getAsString().substring(0, 2));
    }
    long messageKinds = Arrays.stream(WireMessage.class.getPermittedSubclasses()).count();
    assertThat(coded).as("the fixtures exercise every kind of wire message").hasSize((int) messageKinds);
    assertThat(documented).isEqualTo(coded);
  }

  @Test
  void everyWireErrorCode_isDocumented_andNothingElse() throws IllegalAccessException {
    Map<Integer, String> coded = new TreeMap<>();
    for (Field f : WireMessage.Error.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && Modifier.isPublic(f.getModifiers()) && f.getType() == int.class) {
        coded.put(f.getInt(null), f.getName());
      }
    }
    Matcher line = Pattern.compile("Wire error codes: (.*?)\\.\n\n", Pattern.DOTALL).matcher(section("## 2."));
    assertThat(line.find()).as("the wire error code list in §2").isTrue();
    Map<Integer, String> documented = new TreeMap<>();
    Matcher m = Pattern.compile("`(\\d+)`\\s+([A-Z_]+)").matcher(line.group(1));
    while (m.find()) {
      documented.put(Integer.parseInt(m.group(1)), m.group(2));
    }
    assertThat(documented).isEqualTo(coded);
  }

  /** Whether {@code text} has {@code n}, its digits grouped by spaces (16 448, 1 000) or not. */
  private static boolean mentions(String text, long n) {
    String digits = Long.toString(n);
    StringBuilder grouped = new StringBuilder();
    for (int i = 0; i < digits.length(); i++) {
      if (i > 0 && (digits.length() - i) % 3 == 0) {
        grouped.append("[ \\u2009\\u202f\\u00a0]");
      }
      grouped.append(digits.charAt(i));
    }
    String pattern = "(?:" + grouped + "|" + digits + ")";
    return Pattern.compile("(?<![0-9])" + pattern + "(?![0-9])").matcher(text).find();
  }

  @Test
  void theLimitsOfTheCode_areTheDocumentsNumbers() {
    assertThat(mentions(section("### 1.1"), SignalingCodec.MAX_FRAME_BYTES)).as("signaling frame limit").isTrue();
    assertThat(mentions(section("### 1.2"), SignalMessage.State.MAX_SERVED_BY)).as("servedBy limit").isTrue();
    String wire = section("## 2.");
    assertThat(mentions(wire, WireCodec.MAX_MESSAGE_BYTES)).as("wire message limit").isTrue();
    assertThat(mentions(wire, WireMessage.MAX_PAYLOAD)).as("chunk payload limit").isTrue();
    ServingBudget.Config serving = ServingBudget.Config.defaults();
    for (long n : new long[] {serving.maxConcurrent(), serving.burst(), (long) serving.perSecond(), serving.maxRefusals()}) {
      assertThat(mentions(wire, n)).as("serving budget default %d in §2", n).isTrue();
    }
    SchedulerConfig s = SchedulerConfig.defaults();
    String scheduling = section("### 2.6");
    for (long n : new long[] {s.maxLateStrikes(), s.minRequest().toMillis(), s.maxRequest().toMillis(),
        s.minProgressSample().toMillis(), s.httpFallbackMargin().toMillis(), s.maxOutstandingPerPeer()}) {
      assertThat(mentions(scheduling, n)).as("scheduler default %d in §2.6", n).isTrue();
    }
  }
}
